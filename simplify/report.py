"""What segmentation found in a document, and the warnings a person can act on (``yomiage outline``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .model import Document

LONG_SENTENCE = 250
# a digit glued after Japanese text right before 。/、: a footnote marker the segmenter did not recognise
_GLUED = re.compile(r"[ぁ-んァ-ヶ一-龠々」』）][0-9０-９]{1,2}(?=[。、])")


@dataclass(frozen=True)
class Report:
    headings: dict[int, int]  # depth -> how many
    footnotes: int
    attached: int  # footnotes whose marker is in the text
    orphaned: int  # footnotes no marker points to
    unresolved: int  # markers with no footnote
    figures: int
    furniture: int
    sentences: int
    warnings: tuple[str, ...] = field(default=())
    source: tuple[str, ...] = field(default=())  # what the source's reader said (pages read from tags …)

    def lines(self) -> list[str]:
        levels = "、".join(f"{depth}段目 {n}" for depth, n in sorted(self.headings.items())) or "なし"
        out = [f"見出し: {levels}",
               f"注: {self.footnotes}（本文の印と結び付いたもの {self.attached}、印のないもの {self.orphaned}、"
               f"注の見つからない印 {self.unresolved}）",
               f"図表: {self.figures}　文: {self.sentences}　取り除いた行（柱・ノンブルなど）: {self.furniture}"]
        out += list(self.source)
        out += [f"警告: {w}" for w in self.warnings]
        return out


def document_report(document: Document) -> Report:
    """Counts from the finished tree, and warnings for what usually means a misread document."""
    headings: dict[int, int] = {}
    depth_of: dict[str, int] = {}
    referenced: set[int] = set()
    footnotes, figures, sentences = [], 0, 0
    long_ones, glued = [], []

    def walk(sections, depth):
        nonlocal figures, sentences
        for section in sections:
            if section.title or section.label:
                headings[depth] = headings.get(depth, 0) + 1
            depth_of[section.id] = depth
            footnotes.extend(section.footnotes)
            referenced.update(note.number for note in section.title_notes)
            for block in section.blocks:
                figures += block.type == "figure"
                for sentence in block.sentences:
                    sentences += 1
                    referenced.update(note.number for note in sentence.notes)
                    if len(sentence.text) > LONG_SENTENCE:
                        long_ones.append(section.id)
                    if _GLUED.search(sentence.text):
                        glued.append((section.id, _GLUED.search(sentence.text).group(0)))
            walk(section.children, depth + 1)

    walk(document.sections, 1)
    numbers = {f.number for f in footnotes}
    attached = sum(1 for f in footnotes if f.number in referenced)
    warnings = []
    if not headings:
        warnings.append("見出しが見つかりません。文書全体を一つの節として読みます。")
    if long_ones:
        warnings.append(f"{LONG_SENTENCE} 字を超える文が {len(long_ones)} あります（最初は {long_ones[0]}）。"
                        "図や表の文字が本文に混じっていないか確かめてください。")
    if glued:
        where, sample = glued[0]
        warnings.append(f"語の後ろに数字が付いた文が {len(glued)} あります（{where}: 「{sample}」）。"
                        "注の印を読み落としているかもしれません。")
    orphaned = len(footnotes) - attached
    if orphaned:
        warnings.append(f"本文に印のない注が {orphaned} あります。")
    unresolved = len(referenced - numbers)
    if unresolved:
        warnings.append(f"注の見つからない印が {unresolved} あります。")
    warnings += [line.removeprefix("警告: ") for line in document.source_report if line.startswith("警告: ")]
    source = tuple(line for line in document.source_report if not line.startswith("警告: "))
    return Report(headings, len(footnotes), attached, orphaned, unresolved, figures, len(document.discarded),
                  sentences, tuple(warnings), source)
