"""Push API: partners send their openings with their own `X-Partner-Key`."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from api.cli import main as cli
from api.openings.models import Partner
from api.partners.service import create_key

BASE = "/v1/partners"


@pytest.fixture
def keys(sessions: "sessionmaker[Session]") -> dict[str, str]:
    with sessions() as session:
        made = {partner: create_key(session, partner) for partner in ("cci-lot", "cma-lot")}
        session.commit()
    return made


def item(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "commerce",
        "intitule": "Épicerie à reprendre",
        "description": "Épicerie de village.",
        "commune": "Cajarc",
        "prix_indicatif": "Sur demande",
    }
    body.update(fields)
    return body


def headers(key: str) -> dict[str, str]:
    return {"X-Partner-Key": key}


def test_a_push_without_key_is_refused(client: TestClient, keys: dict[str, str]) -> None:
    response = client.put(f"{BASE}/cci-lot/openings/C-1", json=item())

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("partner", "key_of"),
    [("cci-lot", "cma-lot"), ("chambre-agriculture-lot", "cci-lot"), ("nobody", "cci-lot")],
)
def test_a_key_only_opens_its_own_partner(
    client: TestClient, keys: dict[str, str], partner: str, key_of: str
) -> None:
    response = client.put(
        f"{BASE}/{partner}/openings/C-1", json=item(), headers=headers(keys[key_of])
    )

    assert response.status_code == 403
    assert client.get("/v1/openings").json()["total"] == 0


def test_a_wrong_key_is_refused(client: TestClient, keys: dict[str, str]) -> None:
    response = client.put(
        f"{BASE}/cci-lot/openings/C-1", json=item(), headers=headers(keys["cci-lot"] + "x")
    )

    assert response.status_code == 403


def test_put_creates_then_updates_then_leaves_unchanged(
    client: TestClient, keys: dict[str, str]
) -> None:
    url, auth = f"{BASE}/cci-lot/openings/C-1", headers(keys["cci-lot"])

    created = client.put(url, json=item(), headers=auth)
    updated = client.put(url, json=item(intitule="Épicerie-bar à reprendre"), headers=auth)
    unchanged = client.put(url, json=item(intitule="Épicerie-bar à reprendre"), headers=auth)

    assert (created.status_code, created.json()["status"]) == (201, "created")
    assert (updated.status_code, updated.json()["status"]) == (200, "updated")
    assert (unchanged.status_code, unchanged.json()["status"]) == (200, "unchanged")
    opening = unchanged.json()["opening"]
    assert opening["source"] == {"id": "cci-lot", "name": "CCI du Lot"}
    assert (opening["kind"], opening["sector"]) == ("business_takeover", "commerce")
    assert opening["commune_insee"] == "46045"
    found = client.get("/v1/openings", params={"q": "épicerie"}).json()
    assert [result["title"] for result in found["results"]] == ["Épicerie-bar à reprendre"]


def test_put_with_another_reference_in_the_body_is_refused(
    client: TestClient, keys: dict[str, str]
) -> None:
    response = client.put(
        f"{BASE}/cci-lot/openings/C-1",
        json=item(reference="C-2"),
        headers=headers(keys["cci-lot"]),
    )

    assert response.status_code == 422


def test_an_invalid_opening_is_refused_with_reasons_in_french(
    client: TestClient, keys: dict[str, str]
) -> None:
    response = client.put(
        f"{BASE}/cci-lot/openings/C-1",
        json=item(commune="Toulouse", type="boutique", lien="www.exemple.fr"),
        headers=headers(keys["cci-lot"]),
    )

    assert response.status_code == 422
    body = response.json()
    assert body["reference"] == "C-1"
    assert any("Toulouse" in reason for reason in body["reasons"])
    assert any("type « boutique » inconnu" in reason for reason in body["reasons"])
    assert any("https://" in reason for reason in body["reasons"])
    assert client.get("/v1/openings").json()["total"] == 0


def test_bulk_keeps_the_good_items_and_lists_the_bad_ones(
    client: TestClient, keys: dict[str, str]
) -> None:
    items = [
        item(reference="C-1"),
        item(reference="C-2", commune="Atlantide"),
        item(reference="C-3", type="agricole", intitule="Noyeraie à transmettre"),
        item(intitule="Sans référence"),
        item(reference="C-1", intitule="Doublon"),
        item(reference="C-5", description={"texte": "objet"}),
    ]

    response = client.post(
        f"{BASE}/cci-lot/openings/bulk", json={"items": items}, headers=headers(keys["cci-lot"])
    )

    assert response.status_code == 422
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"]) == (2, 0, 0)
    assert [(a["index"], a["reference"]) for a in body["accepted"]] == [(0, "C-1"), (2, "C-3")]
    rejected = {r["index"]: r for r in body["rejected"]}
    assert set(rejected) == {1, 3, 4, 5}
    assert "Atlantide" in rejected[1]["reasons"][0]
    assert rejected[3]["reasons"] == ["« reference » manquant"]
    assert "double" in rejected[4]["reasons"][0]
    assert "objet" in rejected[5]["reasons"][0]
    shown = client.get("/v1/openings").json()
    assert sorted(r["partner_ref"] for r in shown["results"]) == ["C-1", "C-3"]


def test_bulk_with_only_good_items_answers_200(client: TestClient, keys: dict[str, str]) -> None:
    response = client.post(
        f"{BASE}/cma-lot/openings/bulk",
        json={"items": [item(reference=f"M-{n}", type="artisanat") for n in range(3)]},
        headers=headers(keys["cma-lot"]),
    )

    assert response.status_code == 200
    assert response.json()["created"] == 3
    assert response.json()["rejected"] == []


def test_delete_withdraws_the_opening_at_once(client: TestClient, keys: dict[str, str]) -> None:
    url, auth = f"{BASE}/cci-lot/openings/C-1", headers(keys["cci-lot"])
    client.put(url, json=item(), headers=auth)

    first = client.delete(url, headers=auth)
    second = client.delete(url, headers=auth)

    assert first.status_code == 204
    assert second.status_code == 404
    assert client.get("/v1/openings").json()["total"] == 0


def test_a_new_key_replaces_the_old_one_and_keys_are_stored_hashed(
    client: TestClient, keys: dict[str, str], sessions: "sessionmaker[Session]"
) -> None:
    with sessions() as session:
        new_key = create_key(session, "cci-lot")
        session.commit()
        stored_hash = session.get(Partner, "cci-lot").key_hash  # type: ignore[union-attr]

    old = client.put(f"{BASE}/cci-lot/openings/C-1", json=item(), headers=headers(keys["cci-lot"]))
    new = client.put(f"{BASE}/cci-lot/openings/C-1", json=item(), headers=headers(new_key))

    assert (old.status_code, new.status_code) == (403, 201)
    assert stored_hash is not None
    assert new_key not in stored_hash


def test_cli_creates_a_new_partner_and_prints_its_key_once(
    client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(["create-partner-key", "--partner", "initiative-lot"]) == 2
    assert cli(["create-partner-key", "--partner", "initiative-lot", "--name", "Test"]) == 0

    key = capsys.readouterr().out.splitlines()[-2]
    response = client.put(f"{BASE}/initiative-lot/openings/I-1", json=item(), headers=headers(key))
    assert response.status_code == 201
    assert response.json()["opening"]["source"]["name"] == "Test"
