"""The ``yomiage`` command."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from simplify.documents import load_document
from simplify.errors import InputError
from simplify.export import document_to_dict, document_to_outline


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _emit(text: str, output: str | None) -> None:
    if output:
        _write_atomic(Path(output), text + "\n")
    else:
        sys.stdout.write(text + "\n")


def cmd_export(args: argparse.Namespace) -> None:
    document = load_document(args.file)
    text = json.dumps(document_to_dict(document), ensure_ascii=False, indent=args.indent)
    _emit(text, args.output)


def cmd_outline(args: argparse.Namespace) -> None:
    _emit(document_to_outline(load_document(args.file)), None)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="yomiage", description="日本の公的文書を、音声・ふりがな・やさしい説明に。")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("export", help="文書全体を JSON で出力する")
    p.add_argument("file", nargs="?", help="テキストファイル（省略時は同梱の白書）")
    p.add_argument("--json", action="store_true", help="JSON で出力する（既定）")
    p.add_argument("--indent", type=int, default=None, help="JSON の字下げ幅")
    p.add_argument("--output", "-o", help="標準出力ではなくこのファイルに書く（原子的に置き換え）")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("outline", help="見出しの木を字下げ一覧で表示する")
    p.add_argument("file", nargs="?", help="テキストファイル（省略時は同梱の白書）")
    p.set_defaults(func=cmd_outline)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except InputError as error:
        print(f"yomiage: エラー: {error.message}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
