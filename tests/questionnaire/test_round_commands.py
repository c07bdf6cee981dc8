import csv
from datetime import date, datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from questionnaire.models import Invitation, Library, LibraryKind, Municipality, Round
from tests.conftest import make_library

pytestmark = pytest.mark.django_db


def test_load_register_gives_every_municipality_one_main_library_once():
    call_command("load_register")
    call_command("load_register")
    assert Municipality.objects.count() == 98
    assert Library.objects.filter(kind=LibraryKind.MAIN).count() == 98
    assert Library.objects.get(municipality__code="851").name == "Bibliotekerne i Aalborg"
    assert Library.objects.get(municipality__code="400").name == "Bibliotekerne på Bornholm"
    assert Library.objects.get(municipality__code="480").name == "Bibliotekerne på Nordfyn"


def test_the_register_has_the_98_municipalities_in_five_regions():
    regions = {
        r: Municipality.objects.filter(region=r).count() for r in Municipality.objects.values_list("region", flat=True)
    }
    assert regions == {"hovedstaden": 29, "sjaelland": 17, "syddanmark": 22, "midtjylland": 19, "nordjylland": 11}
    assert not Municipality.objects.filter(name="Christiansø").exists()


def test_open_round_refuses_a_deadline_before_the_round_opens_and_changes_nothing():
    call_command("open_round", "bs-2030", "--closes", "2030-09-30")
    Round.objects.update(opens_at=timezone.make_aware(datetime(2030, 10, 1, 9)))
    with pytest.raises(CommandError, match=r"Runden skal lukke, efter at den åbner \(1\. oktober 2030 kl\. 09:00\)"):
        call_command("open_round", "bs-2030", "--closes", "2030-09-15")
    assert timezone.localtime(Round.objects.get().closes_at).date() == date(2030, 9, 30)


def test_open_round_is_idempotent_and_sets_the_deadline_to_the_end_of_the_day(capsys):
    call_command("open_round", "bs-2030", "--title", "Borgerservice 2030", "--closes", "2030-09-30")
    call_command("open_round", "bs-2030", "--closes", "2030-09-30")
    round_ = Round.objects.get()
    assert round_.title == "Borgerservice 2030"
    closes = timezone.localtime(round_.closes_at)
    assert (closes.date(), closes.hour, closes.minute) == (date(2030, 9, 30), 23, 59)
    assert "already exists" in capsys.readouterr().out


def test_open_round_refuses_a_bad_or_past_deadline():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("open_round", "x", "--closes", "30/9/2030")
    with pytest.raises(CommandError, match="past"):
        call_command("open_round", "x", "--closes", "2001-01-01")
    assert not Round.objects.exists()


def test_invite_writes_a_link_per_library_for_mail_merge_and_does_not_invite_twice(tmp_path, settings):
    settings.SITE_URL = "https://survey.example.dk"
    call_command("load_register")
    make_library(name="Bogbussen", kind=LibraryKind.MOBILE, email="bus@example.dk")
    make_library(name="Lukket filial", kind=LibraryKind.BRANCH, active=False)
    call_command("open_round", "bs")
    links = tmp_path / "links.csv"
    call_command("invite", "bs", "--links", str(links))
    call_command("invite", "bs", "--links", str(links))
    assert Invitation.objects.count() == 99
    with open(links, encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 99
    bus = next(row for row in rows if row["bibliotek"] == "Bogbussen")
    token = Invitation.objects.get(library__name="Bogbussen").token
    assert bus == {
        "bibliotek": "Bogbussen",
        "type": "bogbus",
        "kommune": "København",
        "kommunekode": "101",
        "email": "bus@example.dk",
        "link": f"https://survey.example.dk/s/{token}/",
    }


def test_invite_names_a_missing_round(tmp_path):
    with pytest.raises(CommandError, match="open_round nope"):
        call_command("invite", "nope", "--links", str(tmp_path / "x.csv"))


def test_invite_on_an_empty_register_says_so_and_how_to_fill_it(tmp_path):
    call_command("open_round", "bs")
    links = tmp_path / "links.csv"
    with pytest.raises(CommandError, match="register is empty") as refused:
        call_command("invite", "bs", "--links", str(links))
    assert "load_register" in str(refused.value) and "Importér fra Excel eller CSV" in str(refused.value)
    assert not links.exists()


def test_load_questionnaire_reports_an_invalid_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "code: x\ntitle: X\nsections:\n"
        "  - code: s\n    title: S\n    questions:\n      - {code: q, type: nope, label: Q}\n"
    )
    with pytest.raises(CommandError, match="ukendte type 'nope'"):
        call_command("load_questionnaire", "--file", str(bad))
