"""Components loaded by the Rasa server process (the .venv-rasa environment), not by the app."""
