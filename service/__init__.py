"""Audio, storage and web for yomiage; builds on simplify, never the reverse."""


def create_app(config: dict | None = None):
    """The Flask application (see service.web.create_app); imported lazily so audio tools and workers need no
    Flask (≈ 0.15 s)."""
    from service.web import create_app as factory

    return factory(config)
