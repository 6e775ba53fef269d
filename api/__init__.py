"""The HTTP API of the Brain (FastAPI, under /api/brain/); `create_app` builds it."""
