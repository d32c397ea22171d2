from __future__ import annotations

from typing import Annotated

from fastapi import File, Path, Query, Request, Response, UploadFile

from bellwork.core.deps import DB, CurrentActor, CurrentScope
from bellwork.core.errors import NotFound
from bellwork.core.routing import Router
from bellwork.core.schemas import Page
from bellwork.core.types import PathId, QueryId
from bellwork.files import responses as stored
from bellwork.org import access, photos, roster
from bellwork.org import directory as directory_rules
from bellwork.org import people as people_rules
from bellwork.org import units as unit_rules
from bellwork.org.schemas import (
    GuardianIn,
    MembershipIn,
    MembershipOut,
    PersonBrief,
    PersonCreate,
    PersonDetail,
    PersonUpdate,
    PhotoOut,
    TemporaryPassword,
    UnitCreate,
    UnitMove,
    UnitOut,
    UnitUpdate,
)
from bellwork.org.settings_schemas import UnitSettingsOut, UnitSettingsUpdate
from bellwork.org.unit_settings import read_settings, update_settings
from bellwork.runtime import runtime_of

units = Router(prefix="/api/v1/units", tags=["units"])
people = Router(prefix="/api/v1/people", tags=["people"])
memberships = Router(prefix="/api/v1/memberships", tags=["people"])

Limit = Annotated[int, Query(ge=1, le=200)]
IncludeArchived = Annotated[bool, Query(description="Also list archived units.")]


@units.get("", response_model=list[UnitOut])
async def list_roots(
    db: DB, scope: CurrentScope, include_archived: IncludeArchived = False
) -> list[UnitOut]:
    """The top-level units of the installation."""
    return await unit_rules.units_out(
        db, scope, await unit_rules.list_roots(db, scope, include_archived)
    )


@units.post("", response_model=UnitOut, status_code=201)
async def create_unit(
    data: UnitCreate, db: DB, actor: CurrentActor, scope: CurrentScope
) -> UnitOut:
    """Create a unit under `parent_id` (heads of the parent or admins), or a root (admins)."""
    unit = await unit_rules.create_unit(db, actor, scope, data)
    return (await unit_rules.units_out(db, scope, [unit]))[0]


@units.get("/{unit_id}", response_model=UnitOut)
async def get_unit(unit_id: PathId, db: DB, scope: CurrentScope) -> UnitOut:
    unit = await access.access_unit(db, unit_id)
    return (await unit_rules.units_out(db, scope, [unit]))[0]


@units.patch("/{unit_id}", response_model=UnitOut)
async def update_unit(
    unit_id: PathId, data: UnitUpdate, db: DB, actor: CurrentActor, scope: CurrentScope
) -> UnitOut:
    """Rename a unit or change its kind."""
    unit = await access.access_unit(db, unit_id)
    await unit_rules.update_unit(db, actor, scope, unit, data)
    return (await unit_rules.units_out(db, scope, [unit]))[0]


@units.post("/{unit_id}/move", response_model=UnitOut)
async def move_unit(
    unit_id: PathId, data: UnitMove, db: DB, actor: CurrentActor, scope: CurrentScope
) -> UnitOut:
    """Move a unit and its whole subtree under another parent (null: make it a root)."""
    unit = await access.access_unit(db, unit_id)
    await unit_rules.move_unit(db, actor, scope, unit, data.parent_id)
    return (await unit_rules.units_out(db, scope, [unit]))[0]


@units.post("/{unit_id}/archive", response_model=UnitOut)
async def archive_unit(
    unit_id: PathId, db: DB, actor: CurrentActor, scope: CurrentScope
) -> UnitOut:
    """Archive a unit and its subtree; memberships and history are kept."""
    unit = await access.access_unit(db, unit_id)
    await unit_rules.archive_unit(db, actor, scope, unit)
    return (await unit_rules.units_out(db, scope, [unit]))[0]


@units.post("/{unit_id}/restore", response_model=UnitOut)
async def restore_unit(
    unit_id: PathId, db: DB, actor: CurrentActor, scope: CurrentScope
) -> UnitOut:
    unit = await access.access_unit(db, unit_id)
    await unit_rules.restore_unit(db, actor, scope, unit)
    return (await unit_rules.units_out(db, scope, [unit]))[0]


@units.get("/{unit_id}/settings", response_model=UnitSettingsOut)
async def unit_settings(unit_id: PathId, db: DB, scope: CurrentScope) -> UnitSettingsOut:
    """The unit's settings: its own, what holds for it (own or inherited) and from where.
    Admins and heads of the unit (403 `not_head_of_unit`)."""
    unit = await access.access_unit(db, unit_id)
    return await read_settings(db, scope, unit)


@units.put("/{unit_id}/settings", response_model=UnitSettingsOut)
async def put_unit_settings(
    unit_id: PathId, data: UnitSettingsUpdate, db: DB, actor: CurrentActor, scope: CurrentScope
) -> UnitSettingsOut:
    """Sets the settings named (null clears one: the unit inherits it again); the others stay.
    Admins and heads of the unit; recorded in the audit log."""
    unit = await access.access_unit(db, unit_id)
    return await update_settings(db, actor, scope, unit, data)


@units.get("/{unit_id}/children", response_model=list[UnitOut])
async def children(
    unit_id: PathId, db: DB, scope: CurrentScope, include_archived: IncludeArchived = False
) -> list[UnitOut]:
    unit = await access.access_unit(db, unit_id)
    return await unit_rules.units_out(
        db, scope, await unit_rules.list_children(db, unit, include_archived)
    )


@units.get("/{unit_id}/subtree", response_model=list[UnitOut])
async def subtree(
    unit_id: PathId, db: DB, scope: CurrentScope, include_archived: IncludeArchived = False
) -> list[UnitOut]:
    """The unit and every unit below it, shallowest first."""
    unit = await access.access_unit(db, unit_id)
    return await unit_rules.units_out(
        db, scope, await unit_rules.list_subtree(db, unit, include_archived)
    )


@units.get("/{unit_id}/ancestors", response_model=list[UnitOut])
async def ancestors(unit_id: PathId, db: DB, scope: CurrentScope) -> list[UnitOut]:
    """The path from the root down to this unit (inclusive)."""
    unit = await access.access_unit(db, unit_id)
    return await unit_rules.units_out(db, scope, await unit_rules.list_ancestors(db, unit))


@people.get("", response_model=Page[PersonBrief])
async def directory(
    db: DB,
    scope: CurrentScope,
    q: Annotated[
        str | None,
        Query(
            max_length=100,
            description=(
                "Name, pinyin (zhangwei), initials (zw), phone, student number, username or email; "
                "prefix match."
            ),
        ),
    ] = None,
    unit_id: QueryId = None,
    subtree: Annotated[bool, Query(description="With unit_id: the whole subtree.")] = False,
    include_inactive: bool = False,
    cursor: str | None = None,
    limit: Limit = 50,
) -> Page[PersonBrief]:
    """The directory: people the caller may see, sorted by name, with cursor pagination."""
    return await directory_rules.search_people(
        db, scope, q, unit_id, subtree, include_inactive, cursor, limit
    )


@people.post("", response_model=PersonDetail, status_code=201)
async def create_person(
    data: PersonCreate, db: DB, actor: CurrentActor, scope: CurrentScope
) -> PersonDetail:
    person = await people_rules.create_person(db, actor, scope, data)
    return await directory_rules.person_detail(db, scope, person)


@people.get("/{person_id}", response_model=PersonDetail)
async def get_person(person_id: PathId, db: DB, scope: CurrentScope) -> PersonDetail:
    """A person's card (404 if the caller may not see them)."""
    person = await access.access_person(db, scope, person_id)
    return await directory_rules.person_detail(db, scope, person)


@people.patch("/{person_id}", response_model=PersonDetail)
async def update_person(
    person_id: PathId, data: PersonUpdate, db: DB, actor: CurrentActor, scope: CurrentScope
) -> PersonDetail:
    """Edit fields; a field sent as null is cleared, a field left out is unchanged."""
    person = await access.access_person(db, scope, person_id)
    await people_rules.update_person(db, actor, scope, person, data)
    return await directory_rules.person_detail(db, scope, person)


@people.post("/{person_id}/deactivate", response_model=PersonDetail)
async def deactivate(
    person_id: PathId, db: DB, actor: CurrentActor, scope: CurrentScope
) -> PersonDetail:
    """Deactivate: the person can no longer log in and is logged out everywhere."""
    person = await access.access_person(db, scope, person_id)
    await people_rules.set_active(db, actor, scope, person, False)
    return await directory_rules.person_detail(db, scope, person)


@people.post("/{person_id}/reactivate", response_model=PersonDetail)
async def reactivate(
    person_id: PathId, db: DB, actor: CurrentActor, scope: CurrentScope
) -> PersonDetail:
    person = await access.access_person(db, scope, person_id)
    await people_rules.set_active(db, actor, scope, person, True)
    return await directory_rules.person_detail(db, scope, person)


@people.post("/{person_id}/reset-password", response_model=TemporaryPassword)
async def reset_password(
    person_id: PathId, db: DB, actor: CurrentActor, scope: CurrentScope
) -> TemporaryPassword:
    """Issue a temporary password (shown once); the person must change it at next login."""
    person = await access.access_person(db, scope, person_id)
    temporary = await people_rules.reset_password(db, actor, scope, person)
    return TemporaryPassword(temporary_password=temporary)


@people.post("/{person_id}/memberships", response_model=MembershipOut, status_code=201)
async def add_membership(
    person_id: PathId, data: MembershipIn, db: DB, actor: CurrentActor, scope: CurrentScope
) -> MembershipOut:
    person = await access.access_person(db, scope, person_id)
    m = await roster.add_membership(db, actor, scope, person, data)
    detail = await directory_rules.person_detail(db, scope, person)
    return next(x for x in detail.memberships if x.id == m.id)


@memberships.delete("/{membership_id}", status_code=204)
async def remove_membership(
    membership_id: PathId, db: DB, actor: CurrentActor, scope: CurrentScope
) -> Response:
    await roster.remove_membership(db, actor, scope, membership_id)
    return Response(status_code=204)


@people.post("/{person_id}/guardians", response_model=PersonDetail)
async def link_guardian(
    person_id: PathId, data: GuardianIn, db: DB, actor: CurrentActor, scope: CurrentScope
) -> PersonDetail:
    """Make `guardian_id` a guardian of this student."""
    student = await access.access_person(db, scope, person_id)
    guardian = await access.access_person(db, scope, data.guardian_id)
    await roster.link_guardian(db, actor, scope, student, guardian, data.relation)
    return await directory_rules.person_detail(db, scope, student)


@people.delete("/{person_id}/guardians/{guardian_id}", status_code=204)
async def unlink_guardian(
    person_id: PathId, guardian_id: PathId, db: DB, actor: CurrentActor, scope: CurrentScope
) -> Response:
    student = await access.access_person(db, scope, person_id)
    await roster.unlink_guardian(db, actor, scope, student, guardian_id)
    return Response(status_code=204)


Version = Annotated[str, Path(min_length=1, max_length=photos.VERSION, pattern="^[0-9a-f]+$")]


@people.put(
    "/{person_id}/photo",
    response_model=PhotoOut,
    responses={
        403: {"description": "Someone one does not manage (`cannot_manage_person`)"},
        413: {"description": "Larger than 10 MB (`file_too_large`, `image_too_large`)"},
        415: {"description": "Not a JPEG, PNG or WebP photo (`photo_type_refused`)"},
    },
)
async def set_photo(
    person_id: PathId,
    db: DB,
    actor: CurrentActor,
    scope: CurrentScope,
    file: Annotated[UploadFile, File()],
) -> PhotoOut:
    """Set or replace a person's photo (头像): one's own, or as an admin or a head of a unit
    they belong to (audited). JPEG, PNG or WebP up to 10 MB; kept as its middle square."""
    person = await access.access_person(db, scope, person_id)
    data = await file.read(photos.MAX_PHOTO + 1)
    await photos.set_photo(
        db, actor, scope, person, file.filename or "photo", file.content_type, data
    )
    return PhotoOut(photo_url=photos.url_of(person.id, person.photo_key))


@people.delete("/{person_id}/photo", status_code=204)
async def remove_photo(
    person_id: PathId, db: DB, actor: CurrentActor, scope: CurrentScope
) -> Response:
    """Remove a person's photo (one's own, or as their manager); the initial shows again."""
    person = await access.access_person(db, scope, person_id)
    await photos.remove_photo(db, actor, scope, person)
    return Response(status_code=204)


async def _send_photo(request: Request, db: DB, key: str) -> Response:
    answer = await stored.send(
        request, runtime_of(db).files, key, media_type="image/jpeg", headers=photos.HEADERS
    )
    if answer is None:
        raise NotFound("photo")
    return answer


@people.get("/{person_id}/photo/{version}", response_class=Response)
async def get_photo(
    person_id: PathId, version: Version, request: Request, db: DB, scope: CurrentScope
) -> Response:
    """A person's photo (JPEG, at most 512 pixels square) for whoever may see them; 404
    otherwise, and for a version that is no longer theirs. Cached for good: a new photo has
    a new URL (`photo_url`)."""
    return await _send_photo(request, db, await photos.readable(db, scope, person_id, version))


@people.get("/{person_id}/photo/{version}/thumbnail", response_class=Response)
async def get_photo_thumbnail(
    person_id: PathId, version: Version, request: Request, db: DB, scope: CurrentScope
) -> Response:
    """The photo's 128-pixel thumbnail, for lists and chat."""
    key = await photos.readable(db, scope, person_id, version)
    return await _send_photo(request, db, photos.thumb_key(key))
