"""An owner books a visit and the clinic confirms it, through a client
generated from the gateway's /openapi.json (tests/api/client.rs runs this).

    PYTHONPATH=<directory holding the generated vet_client package> python flow.py

Environment: VET_BASE_URL (the gateway), VET_OWNER_TOKEN (a pet owner),
VET_DESK_TOKEN (the clinic's receptionist), VET_NEAR (`latitude,longitude` of
the clinic) and VET_CLINIC_ID (the clinic the search must find first).

Uses nothing but the generated package: every request and every parse is the
generator's reading of the spec. Prints a line per step (the booking's line
carries `appointment=<id>`); exits non-zero on the first failure.
"""

import datetime
import os
import sys
import uuid

from vet_client import AuthenticatedClient
from vet_client.api.appointments import (
    book_appointment,
    get_appointment,
    get_availability,
    transition_appointment,
)
from vet_client.api.clinics import list_services, search_clinics
from vet_client.api.pets import create_pet
from vet_client.models import (
    AppointmentView,
    AvailabilityView,
    BookingRequest,
    PageClinicView,
    PetProfile,
    PetView,
    TransitionRequest,
)


def fail(message):
    print(f"FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def answer(step, response, status, kind):
    """The parsed body of `response`, which must have `status` and parse as `kind`."""
    if response.status_code != status:
        fail(f"{step}: expected {status}, got {int(response.status_code)}: {response.content.decode(errors='replace')}")
    if not isinstance(response.parsed, kind):
        fail(f"{step}: the body did not parse as {kind.__name__}: {response.parsed!r}")
    return response.parsed


def check(condition, message):
    if not condition:
        fail(message)


def main():
    base_url = os.environ["VET_BASE_URL"]
    clinic_id = uuid.UUID(os.environ["VET_CLINIC_ID"])
    # An undocumented status raises instead of parsing as nothing.
    owner = AuthenticatedClient(base_url=base_url, token=os.environ["VET_OWNER_TOKEN"], raise_on_unexpected_status=True)
    desk = AuthenticatedClient(base_url=base_url, token=os.environ["VET_DESK_TOKEN"], raise_on_unexpected_status=True)

    profile = PetProfile(name="Biscuit", species="dog", sex="female", birth_date=datetime.date(2022, 5, 1))
    pet = answer("create the pet", create_pet.sync_detailed(client=owner, body=profile), 201, PetView)
    check(pet.profile.name == "Biscuit", f"the pet came back as {pet.profile!r}")
    print(f"created the pet {pet.id}")

    page = answer(
        "search clinics",
        search_clinics.sync_detailed(client=owner, near=os.environ["VET_NEAR"], radius_km=25),
        200,
        PageClinicView,
    )
    check(page.items, "no clinic near the point")
    clinic = page.items[0]
    check(clinic.id == clinic_id, f"the nearest clinic is {clinic.id} ({clinic.profile.name}), not {clinic_id}")
    check(isinstance(clinic.distance_km, float) and clinic.distance_km < 1, f"distance {clinic.distance_km!r}")
    print(f"found the clinic {clinic.profile.name!r} {clinic.distance_km:.2f} km away, {len(page.items)} in range")

    services = answer("list services", list_services.sync_detailed(clinic.id, client=owner), 200, list)
    consultations = [service for service in services if service.offer.kind == "consultation"]
    check(consultations, f"no consultation among {[service.offer.name for service in services]}")
    service = consultations[0]
    print(f"chose the service {service.offer.name!r} ({service.offer.duration_minutes} min)")

    # Tomorrow (UTC): past the minimum notice, inside the booking horizon.
    day = datetime.datetime.now(datetime.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    day += datetime.timedelta(days=1)
    availability = answer(
        "read availability",
        get_availability.sync_detailed(
            client=owner,
            clinic_id=clinic.id,
            service_id=service.id,
            from_=day,
            to=day + datetime.timedelta(days=1),
        ),
        200,
        AvailabilityView,
    )
    check(availability.slots, "no free slot tomorrow")
    slot = availability.slots[0]
    print(f"{len(availability.slots)} free slots; the first at {slot.local_start} ({availability.time_zone})")

    booking = BookingRequest(pet_id=pet.id, service_id=service.id, starts_at=slot.starts_at, vet_id=slot.vet_id)
    booked = answer(
        "book",
        book_appointment.sync_detailed(client=owner, body=booking, idempotency_key=str(uuid.uuid4())),
        201,
        AppointmentView,
    )
    check(booked.starts_at == slot.starts_at, f"booked at {booked.starts_at}, not {slot.starts_at}")
    check("confirmed" in booked.next_statuses, f"a {booked.status} booking cannot be confirmed: {booked.next_statuses}")
    print(f"booked appointment={booked.id} status={booked.status}")

    confirmed = answer(
        "confirm",
        transition_appointment.sync_detailed(booked.id, client=desk, body=TransitionRequest(to="confirmed")),
        200,
        AppointmentView,
    )
    check(confirmed.status == "confirmed", f"the clinic's confirmation left it {confirmed.status}")
    print(f"the receptionist confirmed it, next: {', '.join(confirmed.next_statuses)}")

    seen = answer("read the appointment", get_appointment.sync_detailed(booked.id, client=owner), 200, AppointmentView)
    check(seen.status == "confirmed", f"the owner sees it {seen.status}")
    print(f"the owner sees it {seen.status} at {seen.local_start}")


if __name__ == "__main__":
    main()
