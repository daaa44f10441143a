"""The Telegram channel: a python-telegram-bot application that relays chats to Rasa's REST channel.

Dialogue state stays in Rasa's tracker (sender `tg-<user id>`); this package only translates between
Telegram updates and Rasa messages, so it can restart at any time without losing a conversation.
"""
