"""Score bot.understanding.parsing's number reading on text2num's and cn2an's own test cases.

The cases are read at run time from local git copies of allo-media/text2num (English and
Spanish, the pure-Python 2.x tests on its ``legacy-2.x`` branch: 3.x moved them into Rust) and
Ailln/cn2an (Chinese): their text is never copied into this repository. Each case is a text and
the numbers its library reads in it, in order; a case that the library rejects (ValueError) is
right when we do not read it as one number. Scores are split into the range the assistant needs
(whole numbers 0-200, decimals, calendar years) and the rest (large, negative, ordinal, rejects).

    python tools/number_suites.py [--text2num GIT_DIR] [--cn2an GIT_DIR] [--parser ROOT] [--misses]

``--parser`` imports ``bot.understanding.parsing`` from another checkout (e.g. main) to compare.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import math
import re
import subprocess
import sys
from functools import partial
from pathlib import Path
from typing import Callable, Dict, Iterator, List, NamedTuple, Sequence

ROOT = Path(__file__).resolve().parent.parent
MIRRORS = Path("/work/.mirror")
T2N_FILES = {"en": "tests/test_text_to_num_en.py", "es": "tests/test_text_to_num_es.py"}
CN2AN_FILES = ("cn2an/cn2an_test.py", "cn2an/transform_test.py")
# Numbers as the libraries write them in an output text: signs, decimals, fractions, ordinals.
_OUT_NUMBER = re.compile(r"(?<![0-9A-Za-z.])([+-]?)(\d+(?:\.\d+)?)(?:/(\d+))?(st|nd|rd|th|º|ª)?")
CATEGORIES = ("0-200", "decimals", "years", "rest")


class Case(NamedTuple):
    suite: str
    lang: str
    text: str
    expected: tuple  # numbers in order; None = the library rejects the text
    special: bool = False  # signed or ordinal: not something we read


def _git_show(git_dir: Path, ref: str, path: str) -> str:
    return subprocess.run(["git", "--git-dir", str(git_dir), "show", f"{ref}:{path}"],
                          check=True, capture_output=True, text=True).stdout


def _numbers_in(output: str) -> tuple[tuple, bool]:
    values, special = [], False
    for sign, digits, denominator, ordinal in _OUT_NUMBER.findall(output):
        value = float(digits) / float(denominator) if denominator else float(digits)
        values.append(-value if sign == "-" else value)
        special = special or bool(sign or ordinal)
    return tuple(values), special


def _text_of(arg: ast.AST, names: Dict[str, str]) -> str | None:
    """A string literal, or a variable holding one."""
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    return names.get(arg.id) if isinstance(arg, ast.Name) else None


def _call_name(node: ast.AST) -> str:
    return node.func.id if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) else ""


def text2num_cases(source: str, lang: str) -> Iterator[Case]:
    """text2num(...) == N, alpha2digit(...) == "...", assertRaises(ValueError, text2num, ...)."""
    suite = f"text2num-{lang}"
    for func in ast.walk(ast.parse(source)):
        if not isinstance(func, ast.FunctionDef):
            continue
        names: Dict[str, str] = {}  # source = "...", expected = "..." as the statements run
        for stmt in func.body:
            if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant):
                for target in stmt.targets:
                    if isinstance(target, ast.Name) and isinstance(stmt.value.value, str):
                        names[target.id] = stmt.value.value
            node = stmt.value if isinstance(stmt, ast.Expr) else None
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            args = node.args
            text_of = partial(_text_of, names=dict(names))
            if node.func.attr == "assertEqual" and len(args) == 2 and isinstance(args[0], ast.Call):
                inner, want = args[0], args[1]
                text = text_of(inner.args[0]) if inner.args else None
                if text is None:
                    continue
                if _call_name(inner) == "text2num" and isinstance(want, ast.Constant):
                    yield Case(suite, lang, text, (float(want.value),))
                elif _call_name(inner) == "alpha2digit" and text_of(want) is not None:
                    values, special = _numbers_in(text_of(want) or "")
                    yield Case(suite, lang, text, values, special)
            elif node.func.attr == "assertRaises" and len(args) >= 3 and isinstance(
                    args[1], ast.Name) and args[1].id == "text2num":
                text = text_of(args[2])
                if text is not None:
                    yield Case(suite, lang, text, None)


def _self_literals(source: str) -> Dict[str, object]:
    """``self.name = {literal}`` / ``[literal]`` assignments, as written (before any update)."""
    found: Dict[str, object] = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Attribute) and isinstance(node.value, (ast.Dict, ast.List)):
                try:
                    found[target.attr] = ast.literal_eval(node.value)
                except ValueError:
                    continue
    return found


def cn2an_cases(numbers_source: str, transform_source: str) -> Iterator[Case]:
    seen = set()
    data = _self_literals(numbers_source)
    for name in ("strict_data_dict", "normal_data_dict", "smart_data_dict", "direct_data_dict"):
        for text, value in data.get(name, {}).items():  # type: ignore[union-attr]
            if text not in seen:
                seen.add(text)
                number = float(value)
                yield Case("cn2an", "zh", text, (number,), number < 0)
    for name in ("error_smart_datas", "error_normal_datas", "error_strict_datas"):
        for text in data.get(name, []):  # type: ignore[union-attr]
            if text not in seen:  # strict-only rejects such as 一一 are read by the other modes
                seen.add(text)
                yield Case("cn2an", "zh", text, None)
    data = _self_literals(transform_source)
    pairs = [(zh, an) for an, zh in data.get("strict_data_dict", {}).items()]  # type: ignore[union-attr]
    pairs += list(data.get("smart_data_dict", {}).items())  # type: ignore[union-attr]
    pairs += list(data.get("direct_cn2an_data_dict", {}).items())  # type: ignore[union-attr]
    for zh, an in pairs:
        values, special = _numbers_in(an)
        yield Case("cn2an-sentences", "zh", zh, values, special)


def category(case: Case) -> str:
    if case.expected is None or case.special:
        return "rest"
    values = case.expected
    if all(v == int(v) and 0 <= v <= 200 for v in values):
        return "0-200"
    if all(0 <= v <= 200 or (v == int(v) and 1900 <= v <= 2100) for v in values):
        return "years" if any(v >= 1900 for v in values) else "decimals"
    return "rest"


def is_right(case: Case, got: Sequence[float]) -> bool:
    if case.expected is None:
        return len(got) != 1  # rejected: not read as one number
    return len(got) == len(case.expected) and all(
        math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) for a, b in zip(got, case.expected, strict=True))


def reader(root: Path) -> Callable[[str, str], List[float]]:
    """``find_numbers`` of the parser under ``root``; for a parser from before it existed, the
    same internals it is built on (``_numbers`` over the case's language)."""
    sys.path.insert(0, str(root))
    parsing = importlib.import_module("bot.understanding.parsing")
    if hasattr(parsing, "find_numbers"):
        return lambda text, lang: [n.value for n in parsing.find_numbers(text, lang)]

    def legacy(text: str, lang: str) -> List[float]:
        t = parsing._prepare(text)
        code = "zh" if t.has_cjk else lang
        nums = parsing._numbers(parsing._doc(t.folded, code), code)
        return [n.value for n in nums if not getattr(n, "article", False)]
    return legacy


def report(cases: List[Case], read: Callable[[str, str], List[float]], misses: bool) -> None:
    suites = list(dict.fromkeys(c.suite for c in cases))
    print(f"{'suite':18}{'0-200':>10}{'decimals':>10}{'years':>10}{'matters':>11}{'rest':>10}"
          f"{'all':>10}")
    totals: Dict[str, List[int]] = {k: [0, 0] for k in CATEGORIES + ("matters", "all")}
    wrong = []
    for suite in suites:
        score: Dict[str, List[int]] = {k: [0, 0] for k in totals}
        for case in (c for c in cases if c.suite == suite):
            got = read(case.text, case.lang)
            ok = is_right(case, got)
            cat = category(case)
            for key in (cat, "all") + (("matters",) if cat != "rest" else ()):
                score[key][0] += ok
                score[key][1] += 1
                totals[key][0] += ok
                totals[key][1] += 1
            if not ok and cat != "rest":
                wrong.append((suite, case.text, case.expected, got))
        print(_row(suite, score))
    print(_row("total", totals))
    if misses:
        print("\nmisses in the range that matters:")
        for suite, text, expected, got in wrong:
            print(f"  {suite:16} {text!r}: expected {list(expected)}, read {got}")


def _row(name: str, score: Dict[str, List[int]]) -> str:
    cells = [f"{score[k][0]}/{score[k][1]}" for k in ("0-200", "decimals", "years")]
    return (f"{name:18}{cells[0]:>10}{cells[1]:>10}{cells[2]:>10}"
            f"{score['matters'][0]:>6}/{score['matters'][1]:<4}"
            f"{score['rest'][0]:>5}/{score['rest'][1]:<4}{score['all'][0]:>5}/{score['all'][1]}")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--text2num", type=Path, default=MIRRORS / "allo-media+text2num" / "repo",
                    help="git dir of allo-media/text2num")
    ap.add_argument("--text2num-ref", default="legacy-2.x")
    ap.add_argument("--cn2an", type=Path, default=MIRRORS / "Ailln+cn2an" / "repo",
                    help="git dir of Ailln/cn2an")
    ap.add_argument("--cn2an-ref", default="HEAD")
    ap.add_argument("--parser", type=Path, default=ROOT, help="checkout whose bot.understanding.parsing to score")
    ap.add_argument("--misses", action="store_true", help="list the misses in the range that matters")
    args = ap.parse_args(argv)
    for git_dir, name in ((args.text2num, "allo-media/text2num"), (args.cn2an, "Ailln/cn2an")):
        if not (git_dir / "HEAD").exists():
            print(f"no git copy of {name} at {git_dir}: fetch it first (its cases are read from "
                  "there, never copied into this repository)", file=sys.stderr)
            return 2
    cases: List[Case] = []
    for lang, path in T2N_FILES.items():
        cases += text2num_cases(_git_show(args.text2num, args.text2num_ref, path), lang)
    cases += cn2an_cases(*(_git_show(args.cn2an, args.cn2an_ref, p) for p in CN2AN_FILES))
    print(f"parser: {args.parser}/bot/understanding/parsing.py; text2num {args.text2num_ref}, "
          f"cn2an {args.cn2an_ref}; {len(cases)} cases")
    report(cases, reader(args.parser), args.misses)
    return 0


if __name__ == "__main__":
    sys.exit(main())
