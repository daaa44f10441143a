"""The web chat's server: the demo page and the widget bundle (`python -m bot.web`, started by `askvn run`).

The widget itself (web/src, bundled into static/dist/askvn-chat.js by `make web`) talks to Rasa's
socket.io channel directly; this server only serves files, so it holds no conversation state.
"""
