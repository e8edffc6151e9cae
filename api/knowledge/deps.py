"""FastAPI dependency giving routers the knowledge service of the running app."""

from typing import Annotated

from fastapi import Depends, Request

from api.knowledge.runtime import knowledge_service
from api.knowledge.service import KnowledgeService


def get_knowledge(request: Request) -> KnowledgeService:
    return knowledge_service(request.app)


KnowledgeDep = Annotated[KnowledgeService, Depends(get_knowledge)]
