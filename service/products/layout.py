"""Where every product lives in the output folder: the one owner of paths (builds, books, feeds, the web, workers
and the library all ask here, so a change of layout is made once).

    <output>/<document>/<voice>/                  the embedded default and configured files
    <output>/<document>/versions/<v>/<voice>/     a library document, one folder per version of its source
        NN-<section>.{mp3,wav,opus,vtt,json}      a track; its .json (written last) is the mark of a finished track
        full.mp3, full.json                       the chaptered whole
        manifest.json                             written last of a build: its presence is "built"
        all.zip, book-<level>.epub, daisy/, daisy.zip, title.{mp3,json}
    <output>/glossary/<voice>/<term>.mp3          glossary explanations
    <output>/library/<document>/                  the library's sources and metadata (service.library.catalog)
    <output>/cache/utt/                           synthesised utterances, by content key
    <output>/cache/locks/                         producer locks

A library document's versions have folders of their own, so building a replacement never touches the files
listeners are being served; the library switches to the new version in one step when its build is complete.
"""

from __future__ import annotations

import re
from pathlib import Path

VERSIONS = "versions"
GENERATOR = "yomiage"  # how yomiage names itself in what it writes (books' metadata): how it knows its own
# The names a build writes into a product folder (used to recognise our own folders before removing one)
_PRODUCT = re.compile(r"(\d{2,}-[^/]+\.(mp3|wav|opus|vtt|json)|full\.(mp3|json)|manifest\.json|all\.zip|"
                      r"book-[a-z0-9]+\.epub|daisy\.zip|title\.(mp3|json))")


class Layout:
    def __init__(self, output: Path | str):
        self.root = Path(output)

    # -- a document's products ----------------------------------------------------------------------
    def products(self, document, voice) -> Path:
        """The folder of one document's (one version's) products for one voice."""
        base = self.version_folder(document.id, document.version) if document.version else self.root / document.id
        return base / voice.id

    def version_folder(self, doc_id: str, version: str) -> Path:
        return self.root / doc_id / VERSIONS / version[:12]

    def manifest(self, document, voice) -> Path:
        return self.products(document, voice) / "manifest.json"

    def full(self, document, voice) -> tuple[Path, Path]:
        folder = self.products(document, voice)
        return folder / "full.mp3", folder / "full.json"

    def archive(self, document, voice) -> Path:
        return self.products(document, voice) / "all.zip"

    def epub(self, document, voice, level) -> Path:
        return self.products(document, voice) / f"book-{str(level).replace(':', '')}.epub"

    def daisy(self, document, voice) -> Path:
        return self.products(document, voice) / "daisy"

    def daisy_zip(self, document, voice) -> Path:
        return self.products(document, voice) / "daisy.zip"

    def title_stem(self, document, voice) -> Path:
        return self.products(document, voice) / "title"

    # -- shared -------------------------------------------------------------------------------------
    def glossary(self, voice) -> Path:
        return self.root / "glossary" / voice.id

    def library(self) -> Path:
        return self.root / "library"

    def utterances(self) -> Path:
        return self.root / "cache" / "utt"

    def locks(self) -> Path:
        return self.root / "cache" / "locks"

    # -- clearing an old version --------------------------------------------------------------------
    def remove_version(self, doc_id: str, version: str) -> bool:
        """Remove the products of a library document's old version; only files a build writes are removed, and a
        folder only when nothing else is left in it. Returns whether the version's folder is gone."""
        folder = self.version_folder(doc_id, version)
        if not folder.is_dir() or folder.is_symlink():
            return False
        for voice_folder in [p for p in folder.iterdir() if p.is_dir() and not p.is_symlink()]:
            daisy = voice_folder / "daisy"
            book = daisy_files(daisy) if daisy.is_dir() and not daisy.is_symlink() else None
            for name in book or ():  # NOTE: an earlier yomiage book, recognised as `yomiage daisy` recognises it
                (daisy / name).unlink(missing_ok=True)
            _remove_matching(voice_folder, _PRODUCT)
        for empty in (folder, folder.parent):
            try:
                empty.rmdir()
            except OSError:
                break
        return not folder.exists()


_DAISY_NAME = re.compile(r"ncc\.html|content\.html|s\d{3}\.smil|\d{3}\.mp3")


def daisy_files(folder: Path) -> set[str] | None:
    """The files of an earlier yomiage DAISY book in ``folder`` (its NCC names yomiage as the generator and every
    file has a name the book uses), or None when the folder holds anything else."""
    names = {p.name for p in folder.iterdir()}
    try:
        ncc = (folder / "ncc.html").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    if f'name="ncc:generator" content="{GENERATOR}"' not in ncc:
        return None
    if any(not _DAISY_NAME.fullmatch(n) or (folder / n).is_symlink() or not (folder / n).is_file() for n in names):
        return None
    return names


def _remove_matching(folder: Path, names: re.Pattern) -> None:
    for path in folder.iterdir():
        if path.is_file() and not path.is_symlink() and names.fullmatch(path.name):
            path.unlink(missing_ok=True)
    for path in folder.iterdir():
        if path.is_dir() and not path.is_symlink():
            try:
                path.rmdir()
            except OSError:
                pass
    try:
        folder.rmdir()
    except OSError:
        pass
