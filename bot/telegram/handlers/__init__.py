"""Update handlers, one module per concern: commands, messages, callbacks, errors."""
