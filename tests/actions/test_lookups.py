"""The committed commune lookup table is what the generator makes from the territory files."""

from __future__ import annotations

from conftest import ROOT

from scripts import gen_lookups


def test_committed_lookup_matches_the_territory_files() -> None:
    committed = (ROOT / "bot" / "data" / "lookups" / "commune.yml").read_text(encoding="utf-8")

    assert committed == gen_lookups.generate(), "stale: run scripts/gen_lookups.py"


def test_lookup_holds_every_commune_and_the_usual_spellings() -> None:
    entries = set(gen_lookups.lookup_entries(gen_lookups.official_names()))

    assert {"Saint-Céré", "Saint Cere", "St-Céré", "St Cere"} <= entries
    assert {"Labastide-Murat", "Biars", "Montcuq", "Le Vigan", "Puy-l'Eveque"} <= entries
    assert len(gen_lookups.official_names()) == 312 + 37


def test_everyday_words_are_kept_out_of_the_lookup() -> None:
    entries = {entry.lower() for entry in gen_lookups.lookup_entries(gen_lookups.official_names())}

    assert not {"vers", "cours", "espère", "bio", "le bourg"} & entries


def test_lookup_holds_the_communautes_but_not_the_areas_over_several() -> None:
    entries = {
        entry.lower() for entry in gen_lookups.lookup_entries(gen_lookups.communaute_names())
    }

    assert {"cauvaldor", "grand-figeac", "grand figeac", "figeacois", "quercy blanc"} <= entries
    assert not {"ségala", "segala", "bouriane", "causse", "vallée du lot"} & entries
