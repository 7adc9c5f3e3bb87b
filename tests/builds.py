"""A document's finished build, made where it is not: what the books' tests make books from."""

from __future__ import annotations

from service.products.build import BuildOptions, build_document
from service.products.manifest import Build, load_build
from service.speech.voices import Voice
from simplify.model import Document


def built(document: Document, voice: Voice, options: BuildOptions) -> Build:
    build_document(document, voice, options, progress=False)
    build = load_build(options.layout, document, voice)
    assert build is not None
    return build
