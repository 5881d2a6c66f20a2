"""The ASGI entry point for uvicorn or any other server: `app.asgi:app`."""

from app.main import create_app

app = create_app()
