"""Computing the changes a checked file implies and, unless it is a dry run, writing them.

Rows reach this room only when every rule (validation.py) and every directory check (units.py,
matching.py) passed. People are created or updated (`_upsert`), memberships under the chosen
unit follow the file (a student moved to another class leaves the old one, and their guardians
follow), guardian links are added or updated. Bulk work is batched: `IN` lists of at most
`CHUNK` values and multi-row inserts.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import delete, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.audit.service import record
from bellwork.auth.service import Actor
from bellwork.db.base import utcnow
from bellwork.org.hooks import ROSTER_LISTENER_TABLES, roster_changed
from bellwork.org.importer.matching import People
from bellwork.org.importer.model import CHUNK, Change, ImportResult, Kind, Note, Row, Summary
from bellwork.org.importer.units import UnitTree
from bellwork.org.models import GuardianLink, Membership, Person, PersonSearchKey, Role, Unit
from bellwork.org.search import search_keys

# What an applied import writes, analysed on PostgreSQL before it commits: plans made for the
# tables as they were before a big import (often empty) make the next import, searches and the
# unit groups' read receipts crawl until autovacuum gets round to them.
ANALYZED_TABLES = (
    "person",
    "person_search_key",
    "membership",
    "guardian_link",
    "unit",
    *ROSTER_LISTENER_TABLES,
)


class Importer:
    """Computes the changes a file implies and, unless it is a dry run, writes them."""

    def __init__(
        self,
        db: AsyncSession,
        actor: Actor | None,
        root: Unit,
        kind: Kind,
        dry_run: bool,
        tree: UnitTree,
        people: People,
    ) -> None:
        self.db = db
        self.actor = actor
        self.root = root
        self.kind = kind
        self.dry_run = dry_run
        self.tree = tree
        self.people = people
        tree.on_create = self.unit_created
        self.frozen = people.frozen()
        self.summary = Summary()
        self.changes: list[Change] = []
        self.touched_people: set[int] = set()
        self.touched_units: set[int] = set()
        self.rekey: list[Person] = []

    def change(self, c: Change) -> None:
        self.changes.append(c)

    def unit_created(self, c: Change) -> None:
        self.summary.units_created += 1
        self.change(c)

    # people ------------------------------------------------------------

    def _upsert(
        self, existing: Person | None, fields: dict[str, Any], row: int, new_people: list[Person]
    ) -> Person:
        if existing is None:
            p = Person(**fields)
            new_people.append(p)
            self.summary.people_created += 1
            self.change(
                Change(
                    row=row,
                    action="create",
                    entity="person",
                    name=fields["name"],
                    detail={k: v for k, v in fields.items() if v},
                )
            )
            return p
        diff = {
            k: [getattr(existing, k), v]
            for k, v in fields.items()
            if v not in (None, "") and getattr(existing, k) != v
        }
        if existing.id in self.frozen:
            diff = {}  # linked as they are: outside the importer's reach (matching.py)
        if existing.id not in self.touched_people:  # count each person once per file
            self.touched_people.add(existing.id)
            if diff:
                self.summary.people_updated += 1
                self.change(
                    Change(
                        row=row, action="update", entity="person", name=existing.name, detail=diff
                    )
                )
            else:
                self.summary.people_unchanged += 1
        if diff and not self.dry_run:
            for k, (_, new) in diff.items():
                setattr(existing, k, new)
            self.rekey.append(existing)
        return existing

    async def run(self, rows: list[Row], notes: list[Note]) -> ImportResult:
        self.summary.rows = len(rows)
        if self.kind == "roster":
            await self._roster(rows)
        else:
            await self._staff(rows)
        if not self.dry_run:
            await self._write_search_keys(self.rekey)
            await roster_changed(self.db, self.touched_units)
            if self.db.get_bind().dialect.name == "postgresql":
                await self.db.execute(text("ANALYZE " + ", ".join(ANALYZED_TABLES)))
            if self.actor is not None:
                await record(
                    self.db,
                    self.actor.id,
                    f"import.{self.kind}",
                    "unit",
                    self.root.id,
                    None,
                    self.summary.model_dump(),
                )
        return ImportResult(
            kind=self.kind,
            dry_run=self.dry_run,
            applied=not self.dry_run,
            summary=self.summary,
            notes=notes,
            changes=self.changes[:1000],
            changes_total=len(self.changes),
        )

    async def _flush_new(self, people: list[Person]) -> None:
        # (A Core INSERT ... RETURNING sorted by parameter order measured slower on SQLite:
        # 9.2 s against 6.8 s for bench/import_10k.py's apply.)
        if people and not self.dry_run:
            self.db.add_all(people)
            await self.db.flush()
            self.rekey.extend(people)

    async def _write_search_keys(self, people: list[Person]) -> None:
        ids = [p.id for p in people]
        for i in range(0, len(ids), CHUNK):
            await self.db.execute(
                delete(PersonSearchKey).where(PersonSearchKey.person_id.in_(ids[i : i + CHUNK]))
            )
        batch: list[dict[str, Any]] = []
        for p in people:
            keys = search_keys(p.name, p.phone, p.student_number, p.username, p.email)
            batch.extend({"person_id": p.id, "key": k, "rank": r} for k, r in keys.items())
        for i in range(0, len(batch), 5000):
            await self.db.execute(insert(PersonSearchKey), batch[i : i + 5000])

    async def _memberships_of(
        self, person_ids: list[int], role: str
    ) -> dict[int, dict[int, Membership]]:
        out: dict[int, dict[int, Membership]] = defaultdict(dict)
        for i in range(0, len(person_ids), CHUNK):
            stmt = select(Membership).where(
                Membership.person_id.in_(person_ids[i : i + CHUNK]), Membership.role == role
            )
            for m in (await self.db.execute(stmt)).scalars():
                out[m.person_id][m.unit_id] = m
        return out

    def _under_root(self, unit_id: int, unit_paths: dict[int, str]) -> bool:
        path = unit_paths.get(unit_id)
        return path is not None and path.startswith(self.root.path)

    async def _unit_paths(self) -> dict[int, str]:
        stmt = select(Unit.id, Unit.path).where(
            Unit.path >= self.root.path, Unit.path < self.root.path + "\U0010ffff"
        )
        return dict((await self.db.execute(stmt)).all())

    async def _sync_memberships(
        self,
        wanted: dict[int, dict[int, tuple[str | None, int]]],
        people: dict[int, Person],
        role: str,
    ) -> None:
        """Make each person's `role` memberships under the root exactly `wanted[person]`.

        `wanted[pid][unit_id] = (title, row)`. Memberships outside the root are left alone.
        """
        real_ids = [pid for pid in wanted if pid > 0]
        have = await self._memberships_of(real_ids, role)
        unit_paths = await self._unit_paths()
        unit_names = {u.id: "/".join(self.tree.names(u)) for u in self.tree.units.values()}
        new_rows: list[dict[str, Any]] = []
        for pid, units in wanted.items():
            current = have.get(pid, {})
            for unit_id, (title, row) in units.items():
                m = current.get(unit_id)
                if m is None:
                    self.summary.memberships_added += 1
                    self.change(
                        Change(
                            row=row,
                            action="add",
                            entity="membership",
                            name=people[pid].name,
                            detail={"unit": unit_names.get(unit_id, str(unit_id)), "role": role},
                        )
                    )
                    new_rows.append(
                        {"person_id": pid, "unit_id": unit_id, "role": role, "title": title}
                    )
                elif title and m.title != title:
                    self.change(
                        Change(
                            row=row,
                            action="update",
                            entity="membership",
                            name=people[pid].name,
                            detail={"title": [m.title, title]},
                        )
                    )
                    if not self.dry_run:
                        m.title = title
            for unit_id, m in current.items():
                if unit_id not in units and self._under_root(unit_id, unit_paths):
                    self.summary.memberships_removed += 1
                    self.change(
                        Change(
                            row=None,
                            action="remove",
                            entity="membership",
                            name=people[pid].name,
                            detail={"unit": unit_names.get(unit_id, str(unit_id)), "role": role},
                        )
                    )
                    if not self.dry_run:
                        self.touched_units.add(unit_id)
                        await self.db.delete(m)
        if new_rows and not self.dry_run:
            now = utcnow()
            for r in new_rows:
                r["created_at"] = now
            for i in range(0, len(new_rows), 5000):
                await self.db.execute(insert(Membership), new_rows[i : i + 5000])

    def _pid(self, p: Person) -> int:
        if p.id is None:
            p.id = self.tree.next_fake_id()
        return p.id

    async def _roster(self, rows: list[Row]) -> None:
        students, guardians = self.people.by_number, self.people.by_phone
        new_people: list[Person] = []
        row_student: dict[int, Person] = {}
        row_guardian: dict[int, Person] = {}
        row_unit: dict[int, Unit] = {}
        by_number: dict[str, Person] = {}
        by_phone: dict[str, Person] = {}
        for r in rows:
            v = r.values
            row_unit[r.number] = await self.tree.resolve(r.path, r.number)
            num = v["student_number"]
            if num in by_number:
                student = by_number[num]
            else:
                student = self._upsert(
                    students.get(num),
                    {"name": v["student_name"], "student_number": num},
                    r.number,
                    new_people,
                )
                by_number[num] = student
            row_student[r.number] = student
            phone = v.get("guardian_phone")
            if phone:
                if phone in by_phone:
                    g = by_phone[phone]
                else:
                    g = self._upsert(
                        guardians.get(phone),
                        {"name": v["guardian_name"], "phone": phone},
                        r.number,
                        new_people,
                    )
                    by_phone[phone] = g
                row_guardian[r.number] = g
        await self._flush_new(new_people)
        people: dict[int, Person] = {}
        wanted: dict[int, dict[int, tuple[str | None, int]]] = defaultdict(dict)
        for r in rows:
            s = row_student[r.number]
            pid = self._pid(s)
            people[pid] = s
            wanted[pid][row_unit[r.number].id] = (None, r.number)
        await self._sync_memberships(wanted, people, Role.student.value)
        await self._links(rows, row_student, row_guardian, people)

    async def _links(
        self,
        rows: list[Row],
        row_student: dict[int, Person],
        row_guardian: dict[int, Person],
        people: dict[int, Person],
    ) -> None:
        student_ids = [p.id for p in row_student.values() if p.id > 0]
        existing: dict[tuple[int, int], GuardianLink] = {}
        for i in range(0, len(student_ids), CHUNK):
            stmt = select(GuardianLink).where(
                GuardianLink.student_id.in_(student_ids[i : i + CHUNK])
            )
            for link in (await self.db.execute(stmt)).scalars():
                existing[(link.guardian_id, link.student_id)] = link
        new_links: list[dict[str, Any]] = []
        seen: set[tuple[int, int]] = set()
        guardians_changed: set[int] = set()
        for r in rows:
            g = row_guardian.get(r.number)
            if g is None:
                continue
            s = row_student[r.number]
            gid, sid = self._pid(g), s.id
            if (gid, sid) in seen:
                continue
            seen.add((gid, sid))
            relation = r.values.get("relation") or None
            found = existing.get((gid, sid))
            if found is None:
                self.summary.guardian_links_added += 1
                self.change(
                    Change(
                        row=r.number,
                        action="add",
                        entity="guardian_link",
                        name=f"{g.name} → {s.name}",
                        detail={"relation": relation},
                    )
                )
                new_links.append({"guardian_id": gid, "student_id": sid, "relation": relation})
                guardians_changed.add(gid)
            elif relation and found.relation != relation:
                self.summary.guardian_links_updated += 1
                self.change(
                    Change(
                        row=r.number,
                        action="update",
                        entity="guardian_link",
                        name=f"{g.name} → {s.name}",
                        detail={"relation": [found.relation, relation]},
                    )
                )
                if not self.dry_run:
                    found.relation = relation
            else:
                guardians_changed.add(gid)  # memberships may still need to follow a class move
        if self.dry_run:
            return
        for i in range(0, len(new_links), 5000):
            await self.db.execute(insert(GuardianLink), new_links[i : i + 5000])
        await self._sync_guardian_units(sorted(guardians_changed))

    async def _sync_guardian_units(self, guardian_ids: list[int]) -> None:
        """Guardians are members (role guardian) of the units their children study in."""
        for i in range(0, len(guardian_ids), CHUNK):
            chunk = guardian_ids[i : i + CHUNK]
            wanted: dict[int, set[int]] = defaultdict(set)
            stmt = (
                select(GuardianLink.guardian_id, Membership.unit_id)
                .join(Membership, Membership.person_id == GuardianLink.student_id)
                .where(GuardianLink.guardian_id.in_(chunk), Membership.role == Role.student.value)
            )
            for gid, uid in await self.db.execute(stmt):
                wanted[gid].add(uid)
            have: dict[int, dict[int, int]] = defaultdict(dict)
            stmt2 = select(Membership.person_id, Membership.unit_id, Membership.id).where(
                Membership.person_id.in_(chunk), Membership.role == Role.guardian.value
            )
            for pid, uid, mid in await self.db.execute(stmt2):
                have[pid][uid] = mid
            add: list[dict[str, Any]] = []
            drop: list[int] = []
            now = utcnow()
            for gid in chunk:
                for uid in wanted[gid] - have[gid].keys():
                    add.append(
                        {
                            "person_id": gid,
                            "unit_id": uid,
                            "role": Role.guardian.value,
                            "title": None,
                            "created_at": now,
                        }
                    )
                drop.extend(have[gid][u] for u in have[gid].keys() - wanted[gid])
                self.touched_units.update(wanted[gid] ^ set(have[gid]))
            if add:
                await self.db.execute(insert(Membership), add)
            if drop:
                await self.db.execute(delete(Membership).where(Membership.id.in_(drop)))

    async def _staff(self, rows: list[Row]) -> None:
        new_people: list[Person] = []
        seen: dict[str, Person] = {}
        row_person: dict[int, Person] = {}
        row_unit: dict[int, Unit] = {}
        for r in rows:
            v = r.values
            row_unit[r.number] = await self.tree.resolve(r.path, r.number)
            key = f"p:{v['phone']}" if v.get("phone") else f"e:{v['email']}"
            if key in seen:
                row_person[r.number] = seen[key]
                continue
            existing = self.people.staff_match(v)
            fields = {
                "name": v["name"],
                "phone": v.get("phone") or None,
                "email": v.get("email") or None,
                "title": v.get("title") or None,
            }
            p = self._upsert(existing, fields, r.number, new_people)
            seen[key] = p
            row_person[r.number] = p
        await self._flush_new(new_people)
        people: dict[int, Person] = {}
        wanted: dict[int, dict[int, tuple[str | None, int]]] = defaultdict(dict)
        for r in rows:
            p = row_person[r.number]
            pid = self._pid(p)
            people[pid] = p
            wanted[pid][row_unit[r.number].id] = (r.values.get("title") or None, r.number)
        await self._sync_memberships(wanted, people, Role.staff.value)
