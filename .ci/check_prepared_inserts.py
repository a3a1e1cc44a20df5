#!/usr/bin/env python3
"""Fails when an `Insertable` with an `Option` field would write `DEFAULT`.

Diesel writes a `None` of an `Insertable` as `DEFAULT` and then marks the whole
insert unsafe to cache: it is parsed and planned again on every call (see the
`db` crate's documentation). No nullable column here has a default other than
`NULL`, so every such struct says `treat_none_as_default_value = false` and its
insert stays prepared; a struct whose `None` should mean a real default would
not compile with it, which is the point.

`python3 .ci/check_prepared_inserts.py --self-test` shows a breakage caught.
"""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DERIVE = re.compile(r"#\[derive\(([^]]*)\)\]")
STRUCT = re.compile(r"\bstruct\s+(\w+)[^{;]*\{")


def offenders(text: str) -> list[str]:
    """The `Insertable` structs of `text` with an `Option` field and no opt-out."""
    found = []
    for derive in DERIVE.finditer(text):
        if not re.search(r"\bInsertable\b", derive.group(1)):
            continue
        struct = STRUCT.search(text, derive.end())
        if struct is None:
            continue
        attributes = text[derive.start() : struct.start()]
        body_end = text.find("\n}", struct.end())
        body = text[struct.end() : body_end if body_end != -1 else len(text)]
        fields = [line for line in body.splitlines() if not line.strip().startswith("//")]
        if any("Option<" in line for line in fields) and "treat_none_as_default_value = false" not in attributes:
            found.append(struct.group(1))
    return found


def self_test() -> None:
    sample = """
#[derive(Insertable)]
#[diesel(table_name = audit_log)]
struct Writes {
    /// Who.
    actor_id: Option<uuid::Uuid>,
}

#[derive(Debug, diesel::Insertable)]
#[diesel(table_name = audit_log, treat_none_as_default_value = false)]
struct Prepared {
    actor_id: Option<uuid::Uuid>,
}

#[derive(Insertable)]
#[diesel(table_name = audit_log)]
struct NoOption {
    // An Option<T> in a comment is no field.
    action: String,
}
"""
    assert offenders(sample) == ["Writes"], offenders(sample)


def main() -> int:
    if sys.argv[1:] == ["--self-test"]:
        self_test()
        print("self-test ok")
        return 0
    failures = []
    for path in sorted(ROOT.glob("crates/*/src/**/*.rs")):
        failures += [f"{path.relative_to(ROOT)}: {name}" for name in offenders(path.read_text())]
    if failures:
        print("Insertable structs with Option fields must say `treat_none_as_default_value = false`:")
        print("\n".join(f"  {failure}" for failure in failures))
        return 1
    print("inserts stay prepared (no Insertable writes DEFAULT)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
