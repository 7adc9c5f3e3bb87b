"""The ``yomiage`` command."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from dataclasses import asdict
from pathlib import Path

from simplify.documents import load_document
from simplify.errors import InputError
from simplify.export import document_to_dict, document_to_outline, token_to_dict
from simplify.reading import check_text, text_to_reading
from simplify.ruby import LEVELS_HELP, parse_level, tokens_to_html, tokens_to_text

from service.store import check_output_file, write_atomic

# NOTE: each command imports the parts it runs (audio, books, the web server, the queue): `yomiage --help` or
# `yomiage outline` starts in 0.13 s; importing every part first took 1.24 s (measured on 2 cores).


def _is_yomiage_export(path: Path) -> bool:
    """An earlier ``yomiage export``: JSON that names yomiage as its generator (or has every field an export has)."""
    try:
        with open(path, "rb") as f:
            data = json.loads(f.read(64 * 1024 * 1024))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and (data.get("generator") == "yomiage"
                                       or {"id", "title", "source", "sections", "discarded"} <= set(data))


def _emit(text: str, output: str | None) -> None:
    if output:
        check_output_file(Path(output), _is_yomiage_export)
        write_atomic(Path(output), text + "\n")
    else:
        sys.stdout.write(text + "\n")


def cmd_export(args: argparse.Namespace) -> None:
    if args.output:
        check_output_file(Path(args.output), _is_yomiage_export)  # NOTE: before the work, not after it
    document = load_document(args.file, readings=not args.no_readings)
    _report(document, args.strict)
    text = json.dumps({"generator": "yomiage", **document_to_dict(document)}, ensure_ascii=False,
                      indent=args.indent)
    _emit(text, args.output)


def _user_text(value: str) -> str:
    text = sys.stdin.read() if value == "-" else value
    return check_text(text)


def cmd_furigana(args: argparse.Namespace) -> None:
    level = parse_level(args.level)
    reading = text_to_reading(_user_text(args.text))
    if args.format == "json":
        out = {"text": reading.text, "level": str(level), "tokens": [token_to_dict(t) for t in reading.tokens],
               "html": tokens_to_html(reading.tokens, level), "spoken": reading.spoken}
        _emit(json.dumps(out, ensure_ascii=False), None)
    elif args.format == "html":
        _emit(tokens_to_html(reading.tokens, level), None)
    else:
        _emit(tokens_to_text(reading.tokens, level), None)


def cmd_reading(args: argparse.Namespace) -> None:
    _emit(text_to_reading(_user_text(args.text)).spoken, None)


def cmd_glossary(args: argparse.Namespace) -> None:
    from simplify.export import term_to_dict
    from simplify.glossary import term_usage

    document = load_document(args.file, readings=True)
    usage = term_usage(document)
    if args.json:
        _emit(json.dumps([term_to_dict(t, usage) for t in document.glossary], ensure_ascii=False, indent=1), None)
        return
    for term in document.glossary:
        used = f"  [{len(usage.get(term.id, []))} 節]" if usage.get(term.id) else ""
        _emit(f"{' / '.join(term.surfaces)}（{term.reading}）〔{term.category}〕{used}\n    {term.plain}", None)


def cmd_voices(args: argparse.Namespace) -> None:
    from service.speech.voices import list_voices

    for voice in list_voices():
        _emit(f"{voice.id}\t{voice.name}\t速さ {voice.speed}  高さ {voice.half_tone:+}  声 {voice.source}", None)


def cmd_build(args: argparse.Namespace) -> None:
    from service.products.build import BROADCAST, FORMATS, BuildOptions, build_document
    from service.config import jobs, output_dir, setting
    from service.speech.voices import get_voice

    queue = args.queue or setting("YOMIAGE_QUEUE_URL")
    if queue:
        _build_through_queue(queue, args)
        return
    formats = tuple(dict.fromkeys(f.strip() for f in (args.formats or "mp3").split(",") if f.strip()))
    if not formats or any(f not in FORMATS for f in formats):
        raise InputError(f"形式は {', '.join(FORMATS)} から選んでください。", code="bad_format")
    voice = get_voice(args.voice or setting("YOMIAGE_DEFAULT_VOICE"))
    document = load_document(args.file, readings=True)
    preset = dict(BROADCAST) if args.preset == "broadcast" else {}
    if args.loudness is not None:
        preset["target_lufs"] = args.loudness
    if args.formats is not None:
        preset["formats"] = formats
    if args.id3v23:
        preset["id3_version"] = 3
    options = BuildOptions(
        output=Path(args.output) if args.output else output_dir(),
        target_lufs=float(preset.pop("target_lufs", setting("YOMIAGE_LOUDNESS"))),
        bitrate=int(setting("YOMIAGE_MP3_BITRATE")),
        formats=preset.pop("formats", formats),
        footnotes=not args.no_footnotes,
        jobs=args.jobs or jobs(),
        **preset,
    )
    report = build_document(document, voice, options, progress=not args.quiet)
    total = sum(t.duration for t in report.tracks)
    print(f"{report.manifest}  ({len(report.tracks)} 節, 音声 {total / 60:.1f} 分, 新たに合成 {report.synthesised} 片, "
          f"{report.seconds:.1f} 秒)", file=sys.stderr)


def cmd_add(args: argparse.Namespace) -> None:
    from simplify.documents import read_path

    from service.library.catalog import Catalog
    from service.config import output_dir, setting

    path = Path(args.file)
    # NOTE: the same clear errors as every command for a missing, odd or unreadable file; add reads it once more
    # as a document, so a file that is not one writes nothing
    entry = Catalog(output_dir()).add(read_path(path), path.name, doc_id=args.id, title=args.title,
                                      attribution=args.attribution, license=args.license, url=args.url)
    print(f"yomiage: 「{entry.title}」を id {entry.id} で追加しました（{entry.kind}）。", file=sys.stderr)
    url = setting("YOMIAGE_QUEUE_URL")
    if url and entry.state == "pending":
        from service.library.queue import check_url, enqueue_build

        check_url(url)
        job = enqueue_build(url, entry.id, setting("YOMIAGE_DEFAULT_VOICE"))
        print(f"yomiage: 作成をキューに入れました（{job}）。出来上がると、聞いている人にはこの版に切り替わります。",
              file=sys.stderr)
    elif entry.served and entry.state == "pending":
        print("yomiage: 動いている yomiage serve が新しい版を作り、出来上がったら切り替えます（それまでは前の版）。",
              file=sys.stderr)


def cmd_remove(args: argparse.Namespace) -> None:
    from service.library.catalog import Catalog
    from service.config import output_dir

    entry = Catalog(output_dir()).remove(args.id)
    print(f"yomiage: 「{entry.title}」（{entry.id}）をライブラリから外しました。", file=sys.stderr)


def cmd_list(args: argparse.Namespace) -> None:
    from service.library.catalog import Catalog
    from service.config import output_dir

    entries = Catalog(output_dir()).entries()
    if args.json:
        print(json.dumps([asdict(e) for e in entries], ensure_ascii=False, indent=1))
        return
    for e in entries:
        state = {"pending": "作成待ち", "ready": "公開中", "failed": f"失敗: {e.error}"}.get(e.state, e.state)
        print(f"{e.id}\t{e.title}\t{e.kind}\t追加 {e.added[:10]}\t更新 {e.updated[:10]}\t{state}")


def cmd_worker(args: argparse.Namespace) -> None:
    from service.config import setting
    from service.library.queue import check_url, run_worker

    url = args.queue or setting("YOMIAGE_QUEUE_URL")
    if not url:
        raise InputError("キューの URL がありません。YOMIAGE_QUEUE_URL か --queue で redis://… を指定してください。",
                         code="no_queue")
    check_url(url)
    run_worker(url, burst=args.burst)


def _build_through_queue(url: str, args: argparse.Namespace) -> None:
    """`yomiage build` with a queue: add the file to the library (workers read it from there), queue the build,
    and show its progress until the workers are done."""
    from simplify.documents import DEFAULT_ID, read_path

    from service.library.catalog import Catalog
    from service.config import output_dir, setting
    from service.library.queue import check_url, enqueue_build, progress

    check_url(url)
    doc_id = DEFAULT_ID
    if args.file:
        path = Path(args.file)
        doc_id = Catalog(output_dir()).add(read_path(path), path.name).id
    job = enqueue_build(url, doc_id, args.voice or setting("YOMIAGE_DEFAULT_VOICE"))
    print(f"yomiage: {doc_id} をキューに入れました（{job}）。yomiage worker が作ります。", file=sys.stderr)
    while True:
        state = progress(url, job)
        if not args.quiet:
            print(f"  {state['done']}/{state['total']} 節  {state['state']}", file=sys.stderr, flush=True)
        if state["state"] in ("done", "failed"):
            break
        time.sleep(1.0)
    if state["state"] == "failed":
        raise InputError(f"作れませんでした：{state['error']}", code="build_failed")


def cmd_review(args: argparse.Namespace) -> None:
    """Where OpenJTalk and UniDic read a word differently, most frequent first, and what decided it."""
    from simplify.review import review, spoken_forms_report, summary

    document = load_document(args.file)
    found = review(document)
    forms = spoken_forms_report(document)
    if args.json:
        print(json.dumps({"document": document.id, "summary": summary(found), "disagreements": [d.to_dict() for d in found],
                          "spoken_forms": [f.to_dict() for f in forms]}, ensure_ascii=False, indent=1))
        return
    for d in found[: args.limit or None]:
        status = {"lexicon": "辞書で決定", "rule": "規則で決定", "printed": "印刷のルビで決定",
                  "reviewed: yomiage right": "確認済み（yomiage が正しい）",
                  "reviewed: UniDic right": "確認済み（UniDic が正しい：要修正）"}.get(d.decided, "未確認")
        print(f"{d.count:4d}  {d.surface}\tyomiage {d.openjtalk}\tUniDic {d.unidic}\t{status}")
        for context in d.contexts:
            print(f"        …{context}…")
    kinds = {"range": "範囲", "time": "時刻", "date": "日付", "address": "番地", "email": "メール", "url": "ウェブ",
             "fee": "金額", "counter": "助数詞", "unit": "単位", "place": "地名"}
    if forms:
        print("\n表記の読み方（声はこう読みます）:")
    for f in forms:
        print(f"{f.count:4d}  {kinds.get(f.kind, f.kind)}\t{f.printed} → {f.spoken}")
        for context in f.contexts[:1]:
            print(f"        …{context}…")
    totals = summary(found)
    print(f"yomiage: 読みの違い {totals['disagreements']} か所（{totals['distinct']} 種類）：辞書・規則で決定 "
          f"{totals.get('lexicon or rule', 0)}、確認済み {totals.get('reviewed', 0)}、未確認 {totals.get('open', 0)}",
          file=sys.stderr)


def cmd_serve(args: argparse.Namespace) -> None:
    import waitress

    from service.web import create_app

    from service.accesslog import AccessLog, QueueWarnings
    from service.config import setting

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    access = logging.getLogger("yomiage.access")
    access.propagate = False  # NOTE: the access log is its own format, one line per request, on stdout
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(message)s"))
    access.addHandler(handler)
    logging.getLogger("waitress.queue").addFilter(QueueWarnings(depth=2 * args.threads))
    public = setting("YOMIAGE_PUBLIC_URL") or f"http://{args.host}:{args.port}/"
    app = create_app({"PUBLIC_URL": public})
    # NOTE: waitress, not Flask's development server: threads for concurrent listeners, bounded connections
    try:
        server = waitress.create_server(AccessLog(app), host=args.host, port=args.port, threads=args.threads,
                                        connection_limit=200, channel_timeout=120, ident="yomiage")
    except OSError as error:
        raise InputError(f"{args.host}:{args.port} で待ち受けられません（{error.strerror}）。"
                         "別のポートを --port で指定してください。", code="port_unavailable") from None
    print(f"yomiage: http://{args.host}:{args.port}/ で公開しています（Ctrl+C で終了）", file=sys.stderr, flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


def _book_inputs(args: argparse.Namespace):
    from service.products.build import BuildOptions
    from service.config import jobs, output_dir, setting
    from service.speech.voices import get_voice

    voice = get_voice(args.voice or setting("YOMIAGE_DEFAULT_VOICE"))
    document = load_document(args.file, readings=True)
    options = BuildOptions(output=output_dir(), target_lufs=float(setting("YOMIAGE_LOUDNESS")),
                           bitrate=int(setting("YOMIAGE_MP3_BITRATE")), jobs=jobs())
    return document, voice, options


def cmd_daisy(args: argparse.Namespace) -> None:
    from service.products.books import document_to_daisy

    document, build = _built(args, Path(args.output))
    ncc = document_to_daisy(document, build, Path(args.output))
    print(f"{ncc}  (DAISY 2.02)", file=sys.stderr)


def cmd_epub(args: argparse.Namespace) -> None:
    from service.products.books import document_to_epub, is_yomiage_epub

    level = parse_level(args.level)
    check_output_file(Path(args.output), is_yomiage_epub)  # NOTE: refuse before the long build, not after it
    document, build = _built(args)
    path = document_to_epub(document, build, Path(args.output), level)
    print(f"{path}  (EPUB 3 + Media Overlays)", file=sys.stderr)


def _built(args: argparse.Namespace, folder: Path | None = None):
    """The document and its finished build (built now where it is not): what a book is made from."""
    from service.products.build import build_document
    from service.products.layout import daisy_files
    from service.products.manifest import load_build
    from service.store import check_output_folder

    if folder is not None:
        check_output_folder(folder, daisy_files)  # NOTE: refuse before the long build, not after it
    document, voice, options = _book_inputs(args)
    build_document(document, voice, options, progress=False)
    return document, load_build(options.layout, document, voice)


def _report(document, strict: bool) -> None:
    """The segmentation report on stderr; with ``strict``, warnings end the command with status 1."""
    from simplify.report import document_report

    report = document_report(document)
    for line in report.lines():
        print(f"yomiage: {line}", file=sys.stderr)
    if strict and report.warnings:
        raise Warned(f"警告が {len(report.warnings)} 件あります（--strict）。")


class Warned(Exception):
    """--strict and the report has warnings: exit status 1."""


def cmd_outline(args: argparse.Namespace) -> None:
    document = load_document(args.file)
    _emit(document_to_outline(document), None)
    _report(document, args.strict)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="yomiage", description="日本の公的文書を、音声・ふりがな・やさしい説明に。")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("export", help="文書全体を JSON で出力する")
    p.add_argument("file", nargs="?", help="PDF・HTML・Markdown・テキスト（省略時は同梱の白書）")
    p.add_argument("--json", action="store_true", help="JSON で出力する（既定）")
    p.add_argument("--indent", type=int, default=None, help="JSON の字下げ幅")
    p.add_argument("--output", "-o", help="標準出力ではなくこのファイルに書く（原子的に置き換え）")
    p.add_argument("--no-readings", action="store_true", help="読み（tokens, spoken）を付けずに速く出力する")
    p.add_argument("--strict", action="store_true", help="構造の警告があれば終了コード 1 で止める")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("furigana", help="文にふりがなを付ける")
    p.add_argument("text", help="文（「-」なら標準入力）")
    p.add_argument("--level", default="all", help=f"ふりがなの段階: {LEVELS_HELP}（既定 all）")
    p.add_argument("--format", choices=("text", "html", "json"), default="text", help="出力形式（既定 text）")
    p.set_defaults(func=cmd_furigana)

    p = sub.add_parser("reading", help="音声合成に渡す読み（カタカナ）を表示する")
    p.add_argument("text", help="文（「-」なら標準入力）")
    p.set_defaults(func=cmd_reading)

    p = sub.add_parser("build", help="節ごとの MP3・字幕（WebVTT）・章付きの全体 MP3 を作る")
    p.add_argument("file", nargs="?", help="PDF・HTML・Markdown・テキスト（省略時は同梱の白書）")
    p.add_argument("--voice", help="音声の id（yomiage voices で一覧）")
    p.add_argument("--jobs", type=int, default=0, help="並列数（既定: コア数）")
    p.add_argument("--output", help="出力先フォルダ（既定: output/）")
    p.add_argument("--loudness", type=float, choices=(-19.0, -24.0, -16.0, -23.0), default=None,
                   help="ラウドネス目標 LUFS（-19 ポッドキャスト既定, -24 放送）")
    p.add_argument("--formats", default=None, help="mp3, wav, opus をカンマ区切りで（既定 mp3）")
    p.add_argument("--preset", choices=("broadcast",), default=None,
                   help="broadcast: 放送用（-24 LUFS、48 kHz の WAV も、ID3v2.3）。個別の指定が優先")
    p.add_argument("--id3v2.3", dest="id3v23", action="store_true",
                   help="MP3 のタグを ID3v2.3 で書く（v2.3 しか読めない放送機器・カーオーディオ向け）")
    p.add_argument("--no-footnotes", action="store_true", help="注を読まない")
    p.add_argument("--quiet", action="store_true", help="進み具合を表示しない")
    p.add_argument("--queue", help="redis://…: ワーカーに作らせる（既定: YOMIAGE_QUEUE_URL。なければこの機械で作る）")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("glossary", help="用語のやさしい説明の一覧")
    p.add_argument("file", nargs="?", help="PDF・HTML・Markdown・テキスト（省略時は同梱の白書）：その文書の定義も加わる")
    p.add_argument("--json", action="store_true", help="JSON で出力する")
    p.set_defaults(func=cmd_glossary)

    p = sub.add_parser("serve", help="ウェブサービスを起動する（waitress）")
    p.add_argument("--host", default="127.0.0.1", help="待ち受けるアドレス（既定 127.0.0.1）")
    p.add_argument("--port", type=int, default=8000, help="ポート（既定 8000）")
    p.add_argument("--threads", type=int, default=8, help="同時に処理するリクエスト数（既定 8）")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("daisy", help="DAISY 2.02 の録音図書（テキストと音声の同期）を作る")
    p.add_argument("file", nargs="?", help="PDF・HTML・Markdown・テキスト（省略時は同梱の白書）")
    p.add_argument("--voice", help="音声の id")
    p.add_argument("--output", required=True, help="書き出すフォルダ（ncc.html などが入る）")
    p.set_defaults(func=cmd_daisy)

    p = sub.add_parser("epub", help="メディアオーバーレイ付き EPUB 3 を作る")
    p.add_argument("file", nargs="?", help="PDF・HTML・Markdown・テキスト（省略時は同梱の白書）")
    p.add_argument("--voice", help="音声の id")
    p.add_argument("--level", default="all", help=f"ふりがなの段階: {LEVELS_HELP}（既定 all）")
    p.add_argument("--output", required=True, help="書き出す .epub ファイル")
    p.set_defaults(func=cmd_epub)

    p = sub.add_parser("voices", help="使える音声の一覧")
    p.set_defaults(func=cmd_voices)

    p = sub.add_parser("worker", help="キュー（Redis）の仕事をする。何台の機械でも、出力フォルダを共有して動かせる")
    p.add_argument("--queue", help="redis://…（既定: YOMIAGE_QUEUE_URL）")
    p.add_argument("--burst", action="store_true", help="キューが空になったら終わる")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("add", help="文書をライブラリに加える（同じ id なら置き換える）。動いているサービスにもすぐ出る")
    p.add_argument("file", help="PDF・HTML・Markdown・テキスト")
    p.add_argument("--id", help="文書の id（英小文字・数字・ハイフン。省略時はファイル名から）")
    p.add_argument("--title", help="題名（省略時は文書の中の題名）")
    p.add_argument("--attribution", help="出典の表示")
    p.add_argument("--license", help="利用条件")
    p.add_argument("--url", help="元の文書の URL")
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("remove", help="文書をライブラリから外す")
    p.add_argument("id", help="文書の id")
    p.set_defaults(func=cmd_remove)

    p = sub.add_parser("list", help="ライブラリの文書の一覧")
    p.add_argument("--json", action="store_true", help="JSON で出力する")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("review", help="OpenJTalk と UniDic で読みが違う語（多い順、文脈つき）と、時刻・範囲・番地・メール・金額・地名の読み方を示す")
    p.add_argument("file", nargs="?", help="PDF・HTML・Markdown・テキスト（省略時は同梱の白書）")
    p.add_argument("--json", action="store_true", help="JSON で出力する")
    p.add_argument("--limit", type=int, default=0, help="上位いくつまで示すか（既定: すべて）")
    p.set_defaults(func=cmd_review)

    p = sub.add_parser("outline", help="見出しの木を字下げ一覧で表示し、見つけたものを報告する（標準エラー）")
    p.add_argument("file", nargs="?", help="PDF・HTML・Markdown・テキスト（省略時は同梱の白書）")
    p.add_argument("--strict", action="store_true", help="構造の警告があれば終了コード 1 で止める")
    p.set_defaults(func=cmd_outline)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except InputError as error:
        print(f"yomiage: エラー: {error.message}", file=sys.stderr)
        return 2
    except Warned as warned:
        print(f"yomiage: {warned}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
