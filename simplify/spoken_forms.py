"""How an announcer says what notices print in figures and letters: clock times, ranges, e-mail addresses.

``9:00`` is said 9時 (``17:30`` 17時30分); a range ``A～B`` between times, dates, amounts, ages or counts is said A
から B, with the unit on both sides where it is printed on one (``10～15日``: 10日から15日). A hyphen is a range only
between clock times (``9時－12時``): between bare numbers it is a phone number, an address or a figure's number.
An address's block numbers are joined by の (大栄71-1: 71の1, 霞が関2-1-2: 2の1の2) where a place name precedes them (not a
phone or postal number, not 第…); an ISO date (2022-02-18) is 2022年2月18日. An e-mail address is spelled so that a
listener can write it down: letters by name, digits one by one, アットマーク, ドット, ハイフン, アンダーバー; so is a short web address
a notice gives (its scheme left out, スラッシュ for /), and an extension number (内線214: ニーイチヨン) is said digit by digit.
An amount under a fee's label (参加費：300) is yen; laws counted (担い手3法) take the counter's rendaku (さんぽう); a room's or
a route's number (301号室, 国道246号線) and a figure whose thousands are set off by 、 (１、０００名) are said as numbers;
days of the week in a list (月・水・金, 月～金曜日) are said as days (げつ・すい・きん, げつから). Each
is a substitution (printed span -> what the voice says): the page keeps what is printed.
"""

from __future__ import annotations

import re

_UNIT = r"(?:時間|日間|年間|か月|ヶ月|ケ月|カ月|年度|[年月日時分秒歳才円人名階回件個枚本台点週%％])"
_TIME = r"(?:[01]?\d|2[0-4])[:：][0-5]\d"
_NUMBER = r"\d[\d,，.]*"
_QUANTITY = rf"(?:{_TIME}|{_NUMBER}{_UNIT}?)(?:{_NUMBER}{_UNIT})*"
_RANGE = re.compile(rf"(?<![\d.,:：A-Za-z])(?P<left>{_QUANTITY})(?:[（(][月火水木金土日祝・]{{1,3}}[)）])?\s*"
                    rf"(?P<sep>[～〜~－\-‐–])\s*"
                    rf"(?P<right>(?:午前|午後)?{_QUANTITY})(?![\d:：])")  # NOTE: 午後1時30分～午後2時30分
_CLOCK = re.compile(rf"(?<![\d.,:：])(?P<h>[01]?\d|2[0-4])[:：](?P<m>[0-5]\d)(?![\d:：])")
_TIME_LIKE = re.compile(rf"^(?:{_TIME}|.*時.*)$")
_FIRST_UNIT = re.compile(rf"^{_NUMBER}(?P<unit>{_UNIT})")
_ADDRESS = re.compile(r"(?<=[\u3041-\u30ff\u4e00-\u9fff々ヶ])(?<!第)(?P<numbers>[1-9][0-9]{0,3}(?:[-－‐][0-9]{1,4}){1,3})"
                      r"(?![0-9\-－‐])")
_ISO_DATE = re.compile(r"(?<![0-9\-])(?P<y>(?:19|20)[0-9]{2})-(?P<m>0?[1-9]|1[0-2])-(?P<d>0?[1-9]|[12][0-9]|3[01])"
                       r"(?![0-9\-])")
# NOTE: an amount printed under a fee's label without its unit (参加費：300, 利用料 500) is yen; an amount with a unit
# printed, or a share or count (3割, 2回目), is not one
_FEE = re.compile(r"(?:参加費|会費|受講料|入場料|入館料|利用料|使用料|手数料|料金|代金|負担金|保険料|費用)"
                  r"[ \u3000]*(?:[:：は]|として)?[ \u3000]*(?P<amount>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)"
                  r"(?![0-9,.])(?![ \u3000]*[円万千億兆ドル%％\u4e00-\u9fff\u30a1-\u30fa])")
# NOTE: an extension (内線214, 内線：3057) is a number to dial: said digit by digit, as a phone number is
_EXTENSION = re.compile(r"内線(?:番号)?[ \u3000]*(?:[:：は][ \u3000]*)?(?P<digits>[0-9０-９]{1,6})"
                        r"(?![0-9０-９,，.．]|[ \u3000]*[本回線件台日年月時分人か箇ヶケ])")
# NOTE: laws counted (担い手3法, 関連6法) take the counter's rendaku, which OpenJTalk does not give 法; not 法人,
# 法案, 法律 …, nor an ordinal (第3法)
_LAWS = re.compile(r"(?<![0-9第])(?P<n>10|[1-9])(?P<target>法)(?![人案律令則規務曹廷的])")
_LAW_COUNTS = {1: "いっぽう", 3: "さんぽう", 6: "ろっぽう", 8: "はっぽう", 10: "じゅっぽう"}
# NOTE: a web address a notice gives its reader (a site's top or a short page, ≤ 32 characters after the scheme) is
# spelled without its scheme, as an announcer gives it; a longer one is a reference and is said リンク (lexicon.toml)
_URL = re.compile(r"https?://(?P<rest>[\x21-\x7e]{1,32})(?![\x21-\x7e])")
_SPELLABLE = re.compile(r"[A-Za-z0-9.\-_/]+")
# NOTE: days of the week in a list (月・水・金, 火木金, 月～金曜日, 日・祝日) are said as days (げつ, すい, きん), which
# OpenJTalk reads as words (つき, みず); a list is two days or more with a mark between them, or three side by side
# (two side by side are often a word or a name: 月日, 水木), standing apart from other kanji but 曜 or 祝 after it
_DAY_NAMES = {"月": "ゲツ", "火": "カ", "水": "スイ", "木": "モク", "金": "キン", "土": "ド", "日": "ニチ"}
_DAY = f"[{''.join(_DAY_NAMES)}]"
_DAYS = re.compile(rf"(?<![\u4e00-\u9fff々])(?P<run>{_DAY}(?:[・、，,～〜~]?{_DAY})*)"
                   rf"(?P<after>[・、]?祝日?|[・、]?祭日|曜日?)?(?![\u4e00-\u9fff々])|(?<=週)(?P<weekly>{_DAY}(?:[・、]?{_DAY})+)")
# NOTE: units set as one square character (㎝, ㎏, ㎡ …: CJK compatibility forms) are silent in OpenJTalk; their names
_UNIT_SIGNS = {"㎜": "ミリメートル", "㎝": "センチメートル", "㎞": "キロメートル", "㎡": "平方メートル", "㎥": "立方メートル",
               "㎎": "ミリグラム", "㎏": "キログラム", "㏄": "シーシー", "㍑": "リットル", "㍍": "メートル", "㎖": "ミリリットル",
               "㎗": "デシリットル", "ℓ": "リットル", "㌔": "キロ", "㌢": "センチ", "㌧": "トン", "㌫": "パーセント"}
_UNIT_SIGN = re.compile("[" + "".join(_UNIT_SIGNS) + "]")
# NOTE: a room's or a route's number (301号室, 国道246号線) is a number, said as one (さんびゃくいち); OpenJTalk says
# the digits of these two one by one (サンマルイチ), as a hotel's staff may, not as an announcer reads a notice
_NUMBERED = re.compile(r"(?<![\d,，.．])(?P<n>(?![0０])\d{2,5})(?=号[室線])")
# NOTE: a figure whose thousands are set off by 、 (１、０００名, ２９、００２フィート: text typed where 、 stood for
# the comma) when a counter or unit follows; a list (１、２年, ７、１０、１６) has no group of exactly three digits
# before the counter, and 第… is an ordinal's list
_THOUSANDS = re.compile(r"(?<![\d,第])(?<!\d、)(?P<n>(?![0０])\d{1,3}(?:、\d{3})+)(?![\d、,])"
                        r"(?=[\u4e00-\u9fff\u30a1-\u30fa％%])")
_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])")
# NOTE: the letters' names as Japanese say them when spelling (JIS Z 8301's table is for writing, not speech)
_LETTERS = dict(zip("abcdefghijklmnopqrstuvwxyz", (
    "エー", "ビー", "シー", "ディー", "イー", "エフ", "ジー", "エイチ", "アイ", "ジェー", "ケー", "エル", "エム", "エヌ",
    "オー", "ピー", "キュー", "アール", "エス", "ティー", "ユー", "ブイ", "ダブリュー", "エックス", "ワイ", "ゼット")))
_SIGNS = {"@": "、アットマーク、", ".": "、ドット、", "-": "ハイフン", "_": "アンダーバー", "+": "プラス", "/": "、スラッシュ、",
          **dict(zip("0123456789", ("ゼロ", "イチ", "ニー", "サン", "ヨン", "ゴー", "ロク", "ナナ", "ハチ", "キュー")))}


_KANJI_DIGITS = "〇一二三四五六七八九"
KINDS = ("email", "url", "extension", "date", "range", "fee", "counter", "unit", "address", "time")


def spell_address(address: str) -> str:
    """An e-mail address as it is spelled aloud.

    >>> spell_address("info-1@city.jp")
    'アイエヌエフオーハイフンイチ、アットマーク、シーアイティーワイ、ドット、ジェーピー'
    """
    return "".join(_LETTERS.get(c.lower()) or _SIGNS.get(c, c) for c in address)


def kanji_numeral(n: int) -> str:
    """``n`` (≥ 0) in kanji numerals as said: 一 left out before 十, 百 and 千, as OpenJTalk reads them back.

    >>> kanji_numeral(301), kanji_numeral(12500), kanji_numeral(1208)
    ('三百一', '一万二千五百', '千二百八')
    """
    if n == 0:
        return "〇"
    out = []
    for size, name in ((10 ** 12, "兆"), (10 ** 8, "億"), (10 ** 4, "万"), (1, "")):
        group, n = divmod(n, size)
        if not group:
            continue
        said = ""
        for unit, unit_name in ((1000, "千"), (100, "百"), (10, "十")):
            digit, group = divmod(group, unit)
            if digit:
                said += ("" if digit == 1 else _KANJI_DIGITS[digit]) + unit_name
        out.append(said + (_KANJI_DIGITS[group] if group else "") + name)
    return "".join(out)


def spoken_form_spans(text: str, half_hours: bool = False) -> list[tuple[int, int, str, str]]:
    """(start, end, what the voice says, kind) for each e-mail address, web address, extension number, ISO date,
    range mark, missing unit, fee amount, count of laws, address and clock time, in order; kind is one of
    ``KINDS``. With ``half_hours``, a clock time's 30 minutes are said 半 (17:30: 17時半), as some announcers say them.

    >>> spoken_form_spans("9:00~17:30")
    [(0, 4, '9時', 'time'), (4, 5, 'から', 'range'), (5, 10, '17時30分', 'time')]
    """
    spans: list[tuple[int, int, str, str]] = []

    def claim(start: int, end: int, spoken: str, kind: str) -> None:
        """The first reading of a span wins: an address's digits are not a clock, a date's hyphens no range."""
        if not any(start < e and s < end for s, e, _, _ in spans):
            spans.append((start, end, spoken, kind))

    for m in _EMAIL.finditer(text):
        claim(m.start(), m.end(), spell_address(m.group()), "email")
    for m in _URL.finditer(text):
        rest = m["rest"].rstrip("/.")
        claim(m.start(), m.end(), spell_address(rest) if _SPELLABLE.fullmatch(rest) else "リンク", "url")
    for m in _EXTENSION.finditer(text):
        claim(m.start("digits"), m.end("digits"), spell_address("".join(str(int(d)) for d in m["digits"])), "extension")
    for m in _ISO_DATE.finditer(text):
        claim(m.start(), m.end(), f"{m['y']}年{int(m['m'])}月{int(m['d'])}日", "date")
    for m in _RANGE.finditer(text):
        left, right, sep = m["left"], m["right"], m["sep"]
        if sep not in "～〜~" and not (_TIME_LIKE.match(left) and _TIME_LIKE.match(right)):
            continue  # NOTE: 03-1234-5678, 71-1, 第1-1-1図: a hyphen between bare numbers is no range
        claim(m.start("sep"), m.end("sep"), "から", "range")
        unit = _FIRST_UNIT.match(right)
        if re.fullmatch(_NUMBER, left) and unit:
            claim(m.start("left"), m.end("left"), left + unit["unit"], "range")
    for m in _FEE.finditer(text):
        claim(m.start("amount"), m.end("amount"), m["amount"] + "円", "fee")
    for m in _LAWS.finditer(text):
        if int(m["n"]) in _LAW_COUNTS:
            claim(m.start(), m.end(), _LAW_COUNTS[int(m["n"])], "counter")
    for m in _NUMBERED.finditer(text):
        claim(m.start("n"), m.end("n"), kanji_numeral(int(m["n"])), "counter")
    for m in _THOUSANDS.finditer(text):
        claim(m.start("n"), m.end("n"), m["n"].replace("、", ""), "counter")
    for m in _DAYS.finditer(text):
        group = "run" if m["run"] else "weekly"
        run, start = m[group], m.start(group)
        days = [i for i, c in enumerate(run) if c in _DAY_NAMES]
        marked = len(days) < len(run)
        after = m["after"] or ""
        holiday = "祝" in after or "祭" in after
        if not (len(days) >= 3 or len(days) >= 2 and marked or len(days) == 1 and holiday):
            continue
        for i, c in enumerate(run):
            if c in _DAY_NAMES and not (i == len(run) - 1 and after.startswith("曜")):
                claim(start + i, start + i + 1, _DAY_NAMES[c], "date")
            elif c in "～〜~":
                claim(start + i, start + i + 1, "から", "range")
    for m in _UNIT_SIGN.finditer(text):
        claim(m.start(), m.end(), _UNIT_SIGNS[m.group()], "unit")
    for m in _ADDRESS.finditer(text):
        claim(m.start(), m.end(), "の".join(re.split(r"[-－‐]", m["numbers"])), "address")
    for m in _CLOCK.finditer(text):
        minutes = int(m["m"])
        said = "半" if half_hours and minutes == 30 else f"{minutes}分" if minutes else ""
        claim(m.start(), m.end(), f"{int(m['h'])}時{said}", "time")
    return sorted(spans)


def spoken_forms(text: str) -> str:
    """``text`` as the voice reads it (for tests and the CLI's ``reading``)."""
    out, pos = [], 0
    for start, end, spoken, _ in spoken_form_spans(text):
        out += [text[pos:start], spoken]
        pos = end
    return "".join(out + [text[pos:]])


def has_half_hour(text: str) -> bool:
    """Whether ``text`` prints a clock time at half past (its reading differs for a voice that says 半)."""
    return any(m["m"] == "30" for m in _CLOCK.finditer(text))
