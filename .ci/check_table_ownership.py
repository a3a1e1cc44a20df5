#!/usr/bin/env python3
"""Fails when a crate writes a table another crate owns, or reads one without a reason.

Each table has one owning crate (`.ci/table_ownership.toml`, `[owners]`): only
the owner inserts, updates, deletes or locks its rows, and other crates read
through the owner's functions. The few direct reads that remain are listed under
`[[reads]]` with the reason, so each is a decision, not an accident; a listed
read that no longer happens fails too, so the list stays true.

What counts, in each crate's `src/` (tests arrange their data as they need):
- Diesel: `insert_into(t::table…)`, `update(t::table…)`, `delete(t::table…)`
  (also through a `let` binding) and `.for_update()` on `t::table` are writes;
  any other mention of `t::…` or `schema::t` is a read;
- SQL text: `INSERT INTO t`, `UPDATE t`, `DELETE FROM t` are writes; `FROM t`
  and `JOIN t` are reads.

`python3 .ci/check_table_ownership.py --self-test` shows each kind of breakage
being caught on a generated crate.
"""
import re
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "crates/db/src/schema.rs"
MANIFEST = ROOT / ".ci/table_ownership.toml"
WRITE_CALL = re.compile(r"\b(insert_into|update|delete)\(")
SQL_WRITE = re.compile(r"\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+([a-z_][a-z0-9_]*)", re.IGNORECASE)
SQL_READ = re.compile(r"\b(?:FROM|JOIN)\s+([a-z_][a-z0-9_]*)", re.IGNORECASE)
STRING = re.compile(r'r#*"(?:.|\n)*?"#*|"(?:\\(?:.|\n)|[^"\\])*"')


def tables() -> set[str]:
    return set(re.findall(r"^\s+([a-z_0-9]+) \(", SCHEMA.read_text(), re.MULTILINE))


def argument(text: str, start: int) -> str:
    """The text of the call argument starting at `start` (balanced parentheses)."""
    depth = 1
    for index in range(start, len(text)):
        if text[index] == "(":
            depth += 1
        elif text[index] == ")":
            depth -= 1
            if depth == 0:
                return text[start:index]
    return text[start:]


def imported(text: str, known: set[str]) -> dict[str, str]:
    """Names under which a file uses tables: those it imports from `db::schema`
    (`… as alias` included). A crate named like a table (`pets::access`) is not one."""
    names = {}
    paths = re.findall(r"schema::\{([^}]*)\}", text) + re.findall(r"schema::([a-z_0-9]+(?: as [a-z_0-9]+)?)", text)
    for group in paths:
        for table, alias in re.findall(r"([a-z_0-9]+)(?: as ([a-z_0-9]+))?", group):
            if table in known:
                names[alias or table] = table
    return names


def mentioned(text: str, names: dict[str, str]) -> set[str]:
    found = {names[name] for name in re.findall(r"\b([a-z_0-9]+)::[a-z_0-9]+\b", text) if name in names}
    found |= {table for table in re.findall(r"schema::([a-z_0-9]+)", text) if table in names.values()}
    return found


def binding(text: str, position: int, name: str) -> str:
    """The expression last bound to `name` before `position`."""
    matches = list(re.finditer(rf"\blet (?:mut )?{re.escape(name)}\b[^=]*=([^;]*);", text[:position]))
    return matches[-1].group(1) if matches else ""


def scan_file(text: str, known: set[str]) -> tuple[set[str], set[str]]:
    """(written, read) tables of one Rust file."""
    names = imported(text, known)
    code = STRING.sub('""', text)
    written, read = set(), set()
    for call in WRITE_CALL.finditer(code):
        target = argument(code, call.end()).strip()
        if re.fullmatch(r"[a-z_][a-z0-9_]*", target):
            target = binding(code, call.start(), target)
        written |= mentioned(target, names)
    for lock in re.finditer(r"\.for_update\(\)", code):
        statement_start = max(code.rfind(";", 0, lock.start()), code.rfind("{", 0, lock.start()))
        written |= mentioned(code[statement_start:lock.start()], names)
    read |= set(names.values())
    for literal in STRING.findall(text):
        written |= {table for table in SQL_WRITE.findall(literal) if table in known}
        read |= {table for table in SQL_READ.findall(literal) if table in known}
    return written, read - written


def scan(crates: dict[str, Path], known: set[str]) -> dict[str, tuple[dict[str, set[str]], dict[str, set[str]]]]:
    """Per crate: table → files writing it, table → files reading it."""
    result = {}
    for crate, source in crates.items():
        writes: dict[str, set[str]] = {}
        reads: dict[str, set[str]] = {}
        for path in sorted(source.rglob("*.rs")):
            written, read = scan_file(path.read_text(), known)
            where = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
            for table in written:
                writes.setdefault(table, set()).add(where)
            for table in read:
                reads.setdefault(table, set()).add(where)
        result[crate] = (writes, reads)
    return result


def check(manifest: dict, crates: dict[str, Path], known: set[str]) -> list[str]:
    owner_of = {table: crate for crate, owned in manifest["owners"].items() for table in owned}
    problems = [f"table {table} has no owner in {MANIFEST.name}" for table in sorted(known - owner_of.keys())]
    problems += [f"{MANIFEST.name} names {table}, which schema.rs does not have" for table in sorted(owner_of.keys() - known)]
    allowed = {(read["crate"], read["table"]) for read in manifest.get("reads", [])}
    seen = set()
    for crate, (writes, reads) in scan(crates, known).items():
        for table, files in sorted(writes.items()):
            if owner_of.get(table) != crate:
                problems.append(f"{crate} writes {table}, owned by {owner_of.get(table)}: {', '.join(sorted(files))}")
        for table, files in sorted(reads.items()):
            if owner_of.get(table) in (crate, None):
                continue
            seen.add((crate, table))
            if (crate, table) not in allowed:
                problems.append(
                    f"{crate} reads {table}, owned by {owner_of[table]} ({', '.join(sorted(files))}): "
                    f"call the owner's functions, or list the read with its reason under [[reads]]"
                )
    for crate, table in sorted(allowed - seen):
        problems.append(f"[[reads]] lists {crate} reading {table}, which it no longer does: remove the entry")
    return problems


def workspace_crates() -> dict[str, Path]:
    crates = {path.parent.name: path for path in (ROOT / "crates").glob("*/src") if path.parent.name != "db"}
    crates["gateway"] = ROOT / "bin/gateway/src"
    return crates


def self_test() -> int:
    """A crate that breaks each rule once; every breakage must be reported."""
    known = {"pets", "users"}
    manifest = {"owners": {"pets": ["pets"], "accounts": ["users"]}, "reads": []}
    cases = {
        "diesel write": "use db::schema::users; diesel::update(users::table.find(id)).set(x).execute(c)",
        "bound write": "use db::schema::users as u; let mine = u::table.filter(a); diesel::delete(mine).execute(c)",
        "row lock": "db::schema::users::table.find(id).for_update().first(c)",
        "sql write": 'diesel::sql_query("UPDATE users SET role = 1")',
        "unlisted read": "use db::schema::users; users::table.load(c)",
        "sql read": 'diesel::sql_query("SELECT 1 FROM users")',
    }
    failures = 0
    with tempfile.TemporaryDirectory() as folder:
        for name, code in cases.items():
            source = Path(folder) / name.replace(" ", "_")
            source.mkdir()
            (source / "lib.rs").write_text(f"fn f() {{ {code} }}\n")
            problems = check(manifest, {"pets": source}, known)
            expected = "writes users" if "write" in name or "lock" in name else "reads users"
            caught = any(expected in problem for problem in problems)
            print(f"{'caught' if caught else 'MISSED'}: {name}: {problems}")
            failures += not caught
        clean = Path(folder) / "clean"
        clean.mkdir()
        (clean / "lib.rs").write_text("use db::schema::pets;\nfn f() { diesel::insert_into(pets::table).values(x) }\n")
        if problems := check(manifest, {"pets": clean}, known):
            print(f"false alarm on the owner's own write: {problems}")
            failures += 1
    return 1 if failures else 0


def main() -> int:
    if "--self-test" in sys.argv:
        return self_test()
    manifest = tomllib.loads(MANIFEST.read_text())
    problems = check(manifest, workspace_crates(), tables())
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(f"table ownership ok ({len(tables())} tables, {len(manifest.get('reads', []))} listed reads)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
