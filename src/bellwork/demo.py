"""Demo organisation: a district education bureau with two schools, and a small company.

Phone numbers use the 100xxxxxxxx block, which no Chinese operator assigns, so a demo number never
reaches a real person. Every demo account has the password DEMO_PASSWORD.
"""

from __future__ import annotations

import io
import random
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bellwork.auth.passwords import hash_password_sync
from bellwork.auth.service import Actor
from bellwork.config import Settings
from bellwork.db.base import utcnow
from bellwork.db.session import unit_of_work
from bellwork.org import people, units
from bellwork.org.access import Scope
from bellwork.org.importer import run_import
from bellwork.org.models import Membership, Person, Role, Unit
from bellwork.org.schemas import MembershipIn, PersonCreate, UnitCreate
from bellwork.runtime import opened

DEMO_PASSWORD = "bellwork-demo"
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余"
    "杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙"
    "史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志强文博子涵梓萱浩然欣"
    "怡宇轩雨桐思远一诺俊熙语嫣佳怡天佑若汐晨阳诗琪子墨梦琪皓轩可欣"
)


def _name(rng: random.Random, surname: str | None = None) -> str:
    s = surname or rng.choice(SURNAMES)
    n = rng.choice((1, 2, 2))
    return s + "".join(rng.choice(GIVEN) for _ in range(n))


class _Phones:
    def __init__(self) -> None:
        self.n = 0

    def next(self) -> str:
        self.n += 1
        return f"100{self.n:08d}"


async def has_admin(settings: Settings) -> bool:
    async with opened(settings) as runtime, unit_of_work(runtime.sessionmaker) as db:
        found = await db.execute(select(Person.id).where(Person.is_admin.is_(True)).limit(1))
        return found.first() is not None


async def create_admin(
    settings: Settings,
    name: str,
    username: str | None,
    phone: str | None,
    email: str | None,
    password: str,
) -> int:
    from pydantic import ValidationError

    from bellwork.core.errors import Problem

    async with opened(settings) as runtime, unit_of_work(runtime.sessionmaker) as db:
        system = Scope(person_id=0, admin=True)
        try:
            data = PersonCreate(
                name=name, username=username, phone=phone, email=email, is_admin=True
            )
        except ValidationError as exc:
            raise ValueError(str(exc)) from exc
        try:
            person = await people.create_person(db, _system_actor(), system, data)
        except Problem as exc:
            raise ValueError(exc.to_dict()["title"]) from exc
        from bellwork.auth.passwords import hash_password

        person.password_hash = await hash_password(password)
        return person.id


def _system_actor() -> Actor:
    # Actions done by the command line are recorded with no actor (actor_id NULL).
    ghost = Person(name="system", is_admin=True)
    ghost.id = None  # type: ignore[assignment]
    return Actor(person=ghost)


async def load_demo(settings: Settings) -> list[tuple[str, str, str]]:
    # Imported here: `bellwork admin create` uses this module too, and these (approval
    # templates, above all) cost its process a second or more of start-up.
    from bellwork.approvals.demo import demo_approvals
    from bellwork.attendance.demo import demo_attendance
    from bellwork.reports.demo import demo_reports

    async with opened(settings) as runtime, unit_of_work(runtime.sessionmaker) as db:
        count = (await db.execute(select(func.count()).select_from(Unit))).scalar_one()
        if count == 0:
            await build_demo(db)
        await demo_forms(db, utcnow())
        await demo_reports(db)
        await demo_approvals(db)
        await demo_attendance(db)
        return await demo_logins(db)


async def build_demo(db: AsyncSession) -> None:
    rng = random.Random(2026)
    phones = _Phones()
    actor = _system_actor()
    scope = Scope(person_id=0, admin=True)
    pw = hash_password_sync(DEMO_PASSWORD)

    async def unit(parent: Unit | None, kind: str, name: str) -> Unit:
        return await units.create_unit(
            db,
            actor,
            scope,
            UnitCreate(parent_id=parent.id if parent else None, kind=kind, name=name),
        )

    async def person(
        name: str,
        memberships: list[tuple[Unit, Role, str | None]],
        username: str | None = None,
        title: str | None = None,
        email: str | None = None,
        is_admin: bool = False,
    ) -> Person:
        p = await people.create_person(
            db,
            actor,
            scope,
            PersonCreate(
                name=name,
                username=username,
                phone=phones.next(),
                email=email,
                title=title,
                is_admin=is_admin,
                memberships=[
                    MembershipIn(unit_id=u.id, role=r, title=t) for u, r, t in memberships
                ],
            ),
        )
        p.password_hash = pw
        return p

    await person("系统管理员", [], username="admin", is_admin=True)
    bureau = await unit(None, "bureau", "滨江区教育局")
    office = await unit(bureau, "department", "基础教育科")
    await person("王建华", [(bureau, Role.head, "局长")], username="wangjianhua", title="局长")
    await person("赵敏", [(office, Role.staff, "科员")], title="科员")

    schools = [
        ("滨江实验小学", [("一年级", ["1班", "2班"]), ("二年级", ["1班", "2班"])]),
        ("滨江第一中学", [("初一", ["1班", "2班"])]),
    ]
    roster = io.StringIO()
    roster.write("班级,学生姓名,学号,家长姓名,家长手机,关系\n")
    first_teacher = True
    student_no = 0
    for s_i, (school_name, grades) in enumerate(schools):
        school = await unit(bureau, "school", school_name)
        await person(
            _name(rng),
            [(school, Role.head, "校长")],
            username="principal" if s_i == 0 else None,
            title="校长",
        )
        await person(_name(rng), [(school, Role.staff, "教务主任")], title="教务主任")
        for grade_name, classes in grades:
            grade = await unit(school, "grade", grade_name)
            subject_teacher = await person(_name(rng), [], title="数学老师")
            for class_name in classes:
                klass = await unit(grade, "class", class_name)
                await person(
                    _name(rng),
                    [(klass, Role.teacher, "班主任")],
                    username="teacher" if first_teacher else None,
                    title="班主任",
                )
                first_teacher = False
                db.add(
                    Membership(
                        person_id=subject_teacher.id,
                        unit_id=klass.id,
                        role=Role.teacher.value,
                        title="数学老师",
                    )
                )
                for _ in range(10):
                    student_no += 1
                    surname = rng.choice(SURNAMES)
                    sname = _name(rng, surname)
                    number = f"2026{s_i + 1}{student_no:04d}"
                    path = f"{grade_name}/{class_name}"
                    father = (_name(rng, surname), phones.next(), "父亲")
                    mother = (_name(rng), phones.next(), "母亲")
                    guardians = [mother, father] if student_no % 3 == 0 else [mother]
                    for gname, gphone, rel in guardians:
                        roster.write(f"{path},{sname},{number},{gname},{gphone},{rel}\n")
        await db.flush()
        rows = [ln for ln in roster.getvalue().splitlines()[1:] if ln]
        # Import this school's classes from the roster text, as an administrator would.
        school_rows = [ln for ln in rows if ln.split(",")[2].startswith(f"2026{s_i + 1}")]
        csv_text = "班级,学生姓名,学号,家长姓名,家长手机,关系\n" + "\n".join(school_rows) + "\n"
        await run_import(
            db, None, scope, school.id, "roster", "roster.csv", csv_text.encode(), dry_run=False
        )

    company = await unit(None, "company", "云帆科技有限公司")
    await person("周启航", [(company, Role.head, "总经理")], username="ceo", title="总经理")
    depts = {"研发部": ["前端组", "后端组"], "市场部": [], "人事部": []}
    for dept_name, teams in depts.items():
        dept = await unit(company, "department", dept_name)
        await person(_name(rng), [(dept, Role.head, "部门经理")], title="部门经理")
        for team_name in teams:
            team = await unit(dept, "team", team_name)
            for _ in range(3):
                await person(
                    _name(rng),
                    [(team, Role.member, "工程师")],
                    title="工程师",
                    username="engineer" if team_name == "前端组" and _ == 0 else None,
                )
        if not teams:
            for _ in range(2):
                await person(_name(rng), [(dept, Role.staff, "专员")], title="专员")

    # Imported students and guardians get the demo password too, so every role can be tried.
    imported = await db.execute(select(Person).where(Person.password_hash.is_(None)))
    for p in imported.scalars():
        p.password_hash = pw


DEMO_CHECK_IN = "demo-daily-health"


async def demo_forms(db: AsyncSession, now: datetime) -> None:
    """The first school's daily health check-in, run by its principal for every student, every
    day 06:00–09:00 (late until midnight), reminding at 08:00 — so a guardian has a form to fill
    and the principal, teachers and the bureau have figures to watch. Added once (the campaign's
    `client_id`), also to a demo database made before forms existed."""
    from bellwork.forms import campaigns, templates
    from bellwork.forms.models import FormCampaign, FormTemplate
    from bellwork.forms.periods import Schedule, local_day
    from bellwork.forms.schemas import CampaignCreate, CampaignUnit, TemplateCreate
    from bellwork.org.access import load_scope
    from bellwork.org.settings import unit_time_zone

    principal = (
        await db.execute(select(Person).where(Person.username == "principal"))
    ).scalar_one_or_none()
    school = (
        await db.execute(select(Unit).where(Unit.name == "滨江实验小学", Unit.kind == "school"))
    ).scalar_one_or_none()
    if principal is None or school is None:
        return
    done = await db.execute(
        select(FormCampaign.id).where(
            FormCampaign.created_by == principal.id, FormCampaign.client_id == DEMO_CHECK_IN
        )
    )
    if done.first() is not None:
        return
    actor = Actor(person=principal)
    scope = await load_scope(db, actor)
    template_id = (
        await db.execute(
            select(FormTemplate.id).where(
                FormTemplate.unit_id == school.id,
                FormTemplate.builtin == "student_health",
                FormTemplate.archived_at.is_(None),
            )
        )
    ).scalar()
    if template_id is None:
        made = await templates.create(
            db,
            actor,
            scope,
            TemplateCreate(unit_id=school.id, name="学生每日健康打卡", builtin="student_health"),
        )
        template_id = made.id
    today = local_day(await unit_time_zone(db, school.id), now)
    await campaigns.create(
        db,
        actor,
        scope,
        CampaignCreate(
            client_id=DEMO_CHECK_IN,
            template_id=template_id,
            unit_id=school.id,
            name="每日健康打卡",
            subject="student",
            units=[CampaignUnit(unit_id=school.id, roles=["student"])],
            schedule=Schedule(
                kind="daily",
                weekdays=[1, 2, 3, 4, 5, 6, 7],
                opens="06:00",
                deadline="09:00",
                start=today,
            ),
            reminders=["08:00"],
            late_allowed=True,
        ),
        now,
    )


async def demo_logins(db: AsyncSession) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    for label, username in (
        ("Administrator / 管理员", "admin"),
        ("Bureau head / 教育局局长", "wangjianhua"),
        ("Principal / 校长", "principal"),
        ("Class teacher / 班主任", "teacher"),
        ("Company head / 总经理", "ceo"),
        ("Engineer / 工程师", "engineer"),
    ):
        p = (await db.execute(select(Person).where(Person.username == username))).scalar()
        if p is not None:
            out.append((label, username, p.name))
    # A guardian and a student of the teacher's class, by phone / student number.
    teacher = (await db.execute(select(Person).where(Person.username == "teacher"))).scalar()
    if teacher is not None:
        class_id = (
            await db.execute(
                select(Membership.unit_id).where(
                    Membership.person_id == teacher.id, Membership.role == Role.teacher.value
                )
            )
        ).scalar()
        g = (
            await db.execute(
                select(Person)
                .join(Membership, Membership.person_id == Person.id)
                .where(Membership.unit_id == class_id, Membership.role == Role.guardian.value)
                .order_by(Person.id)
                .limit(1)
            )
        ).scalar()
        if g is not None and g.phone:
            out.append(("Guardian / 家长", g.phone, g.name))
    return out
