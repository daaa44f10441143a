// Interface texts in the ten languages. Answers come from the server; these are only the widget's own labels.
export const LANGUAGES = [
  ["en", "English"], ["vi", "Tiếng Việt"], ["zh", "中文"], ["ko", "한국어"], ["ja", "日本語"],
  ["fr", "Français"], ["de", "Deutsch"], ["ru", "Русский"], ["es", "Español"], ["th", "ไทย"],
];

const T = {
  en: { title: "Ask Vietnam", open: "Open chat: ask about Vietnam", close: "Close chat", placeholder: "Ask a question about Vietnam…",
    send: "Send", language: "Language", typing: "Ask Vietnam is typing…", reconnecting: "Reconnecting… your messages will be sent when the connection is back.",
    connected: "Connected", source: "Source", reviewed: "Reviewed", helpful: "Was this helpful?", up: "Helpful", down: "Not helpful",
    thanks: "Thanks for your feedback", you: "You", bot: "Ask Vietnam", log: "Conversation", clear: "New conversation",
    hello: "Hello! Ask me anything about visiting Vietnam: visas, money, transport, health, culture." },
  vi: { title: "Hỏi Việt Nam", open: "Mở trò chuyện: hỏi về Việt Nam", close: "Đóng trò chuyện", placeholder: "Đặt câu hỏi về Việt Nam…",
    send: "Gửi", language: "Ngôn ngữ", typing: "Đang trả lời…", reconnecting: "Đang kết nối lại… tin nhắn của bạn sẽ được gửi khi có kết nối.",
    connected: "Đã kết nối", source: "Nguồn", reviewed: "Kiểm duyệt", helpful: "Câu trả lời có hữu ích không?", up: "Hữu ích", down: "Không hữu ích",
    thanks: "Cảm ơn phản hồi của bạn", you: "Bạn", bot: "Hỏi Việt Nam", log: "Cuộc trò chuyện", clear: "Cuộc trò chuyện mới",
    hello: "Xin chào! Hãy hỏi tôi về du lịch Việt Nam: thị thực, tiền tệ, đi lại, sức khỏe, văn hóa." },
  zh: { title: "问越南", open: "打开聊天：咨询越南", close: "关闭聊天", placeholder: "请输入关于越南的问题…",
    send: "发送", language: "语言", typing: "正在输入…", reconnecting: "正在重新连接…连接恢复后将发送您的消息。",
    connected: "已连接", source: "来源", reviewed: "审核日期", helpful: "这个回答有帮助吗？", up: "有帮助", down: "没有帮助",
    thanks: "感谢您的反馈", you: "您", bot: "问越南", log: "对话", clear: "新对话",
    hello: "您好！关于越南旅行的任何问题都可以问我：签证、货币、交通、健康、文化。" },
  ko: { title: "베트남에 물어보세요", open: "채팅 열기: 베트남에 대해 질문하기", close: "채팅 닫기", placeholder: "베트남에 대해 질문하세요…",
    send: "보내기", language: "언어", typing: "입력 중…", reconnecting: "다시 연결 중… 연결되면 메시지가 전송됩니다.",
    connected: "연결됨", source: "출처", reviewed: "검토일", helpful: "도움이 되었나요?", up: "도움이 됨", down: "도움이 안 됨",
    thanks: "의견 감사합니다", you: "나", bot: "베트남에 물어보세요", log: "대화", clear: "새 대화",
    hello: "안녕하세요! 비자, 환전, 교통, 건강, 문화 등 베트남 여행에 대해 무엇이든 물어보세요." },
  ja: { title: "ベトナムに聞く", open: "チャットを開く：ベトナムについて質問", close: "チャットを閉じる", placeholder: "ベトナムについて質問してください…",
    send: "送信", language: "言語", typing: "入力中…", reconnecting: "再接続中…接続が戻るとメッセージが送信されます。",
    connected: "接続済み", source: "出典", reviewed: "確認日", helpful: "役に立ちましたか？", up: "役に立った", down: "役に立たなかった",
    thanks: "フィードバックありがとうございます", you: "あなた", bot: "ベトナムに聞く", log: "会話", clear: "新しい会話",
    hello: "こんにちは！ビザ、お金、交通、健康、文化など、ベトナム旅行について何でも聞いてください。" },
  fr: { title: "Demandez au Vietnam", open: "Ouvrir le chat : questions sur le Vietnam", close: "Fermer le chat", placeholder: "Posez une question sur le Vietnam…",
    send: "Envoyer", language: "Langue", typing: "En train d'écrire…", reconnecting: "Reconnexion… vos messages partiront dès le retour de la connexion.",
    connected: "Connecté", source: "Source", reviewed: "Vérifié le", helpful: "Cette réponse vous a-t-elle aidé ?", up: "Utile", down: "Pas utile",
    thanks: "Merci pour votre avis", you: "Vous", bot: "Demandez au Vietnam", log: "Conversation", clear: "Nouvelle conversation",
    hello: "Bonjour ! Posez-moi vos questions sur un voyage au Vietnam : visas, argent, transports, santé, culture." },
  de: { title: "Frag Vietnam", open: "Chat öffnen: Fragen zu Vietnam", close: "Chat schließen", placeholder: "Stellen Sie eine Frage zu Vietnam…",
    send: "Senden", language: "Sprache", typing: "Schreibt…", reconnecting: "Verbindung wird wiederhergestellt… Ihre Nachrichten werden dann gesendet.",
    connected: "Verbunden", source: "Quelle", reviewed: "Geprüft am", helpful: "War das hilfreich?", up: "Hilfreich", down: "Nicht hilfreich",
    thanks: "Danke für Ihr Feedback", you: "Sie", bot: "Frag Vietnam", log: "Unterhaltung", clear: "Neue Unterhaltung",
    hello: "Hallo! Fragen Sie mich alles zur Vietnamreise: Visa, Geld, Verkehr, Gesundheit, Kultur." },
  ru: { title: "Спросите о Вьетнаме", open: "Открыть чат: вопросы о Вьетнаме", close: "Закрыть чат", placeholder: "Задайте вопрос о Вьетнаме…",
    send: "Отправить", language: "Язык", typing: "Печатает…", reconnecting: "Переподключение… сообщения будут отправлены после восстановления связи.",
    connected: "Подключено", source: "Источник", reviewed: "Проверено", helpful: "Ответ был полезен?", up: "Полезно", down: "Бесполезно",
    thanks: "Спасибо за отзыв", you: "Вы", bot: "Спросите о Вьетнаме", log: "Диалог", clear: "Новый диалог",
    hello: "Здравствуйте! Спрашивайте о поездке во Вьетнам: визы, деньги, транспорт, здоровье, культура." },
  es: { title: "Pregunta a Vietnam", open: "Abrir chat: preguntas sobre Vietnam", close: "Cerrar chat", placeholder: "Haz una pregunta sobre Vietnam…",
    send: "Enviar", language: "Idioma", typing: "Escribiendo…", reconnecting: "Reconectando… tus mensajes se enviarán al volver la conexión.",
    connected: "Conectado", source: "Fuente", reviewed: "Revisado el", helpful: "¿Te ha sido útil?", up: "Útil", down: "No útil",
    thanks: "Gracias por tu opinión", you: "Tú", bot: "Pregunta a Vietnam", log: "Conversación", clear: "Nueva conversación",
    hello: "¡Hola! Pregúntame lo que quieras sobre viajar a Vietnam: visados, dinero, transporte, salud, cultura." },
  th: { title: "ถามเวียดนาม", open: "เปิดแชต: ถามเรื่องเวียดนาม", close: "ปิดแชต", placeholder: "ถามคำถามเกี่ยวกับเวียดนาม…",
    send: "ส่ง", language: "ภาษา", typing: "กำลังพิมพ์…", reconnecting: "กำลังเชื่อมต่อใหม่… ข้อความของคุณจะถูกส่งเมื่อเชื่อมต่อได้",
    connected: "เชื่อมต่อแล้ว", source: "แหล่งที่มา", reviewed: "ตรวจสอบเมื่อ", helpful: "คำตอบนี้มีประโยชน์ไหม", up: "มีประโยชน์", down: "ไม่มีประโยชน์",
    thanks: "ขอบคุณสำหรับความคิดเห็น", you: "คุณ", bot: "ถามเวียดนาม", log: "บทสนทนา", clear: "เริ่มบทสนทนาใหม่",
    hello: "สวัสดี! ถามเรื่องการเที่ยวเวียดนามได้ทุกเรื่อง: วีซ่า เงิน การเดินทาง สุขภาพ วัฒนธรรม" },
};

const CODES = LANGUAGES.map(([code]) => code);

/** One of the ten codes from a BCP 47 tag ("fr-CA" → "fr", "zh-Hant" → "zh"), or null. */
export function normaliseLanguage(tag) {
  if (!tag || typeof tag !== "string") return null;
  const base = tag.trim().toLowerCase().split(/[-_]/)[0];
  return CODES.includes(base) ? base : null;
}

/** The widget's label `key` in `language`, English when missing. */
export function t(language, key) {
  return (T[language] && T[language][key]) || T.en[key] || key;
}
