"""Running the assistant: set-up, Rasa training, the supervisor and its processes (the action server
entry point among them), the local scale-out cluster, and retention of stored conversations."""
