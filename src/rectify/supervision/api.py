"""SCAFFOLD: the engineer building these endpoints fills this router."""

from ninja import Router

router = Router(tags=["预警与通知"])
