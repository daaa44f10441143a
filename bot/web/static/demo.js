// Demo page only: the "popular question" buttons open the chat and ask it (window.AskVietnamChat.ask).
document.addEventListener("click", (event) => {
  const target = event.target instanceof Element ? event.target.closest("[data-question], [data-open-chat]") : null;
  const chat = window.AskVietnamChat;
  if (!target || !chat) return;
  event.preventDefault();
  if (target.dataset.question) chat.ask(target.dataset.question);
  else chat.toggle(true);
});
