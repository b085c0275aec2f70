"""The exchange path: `POST /exchange/...` and `POST /share/...`, brokered over the event bus."""
