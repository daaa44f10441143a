"""Rasa's own FAQ approach (retrieval intents + ResponseSelector) as a peer in the evaluation.

`generate` and `run` run in the app venv (`.venv`); `predict` runs in `.venv-rasa` and imports no app
package, because the two environments cannot share numpy.
"""
