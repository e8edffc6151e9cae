"""Writes the fictitious openings of data/sample/ (fixed seed: the same files every time).

- openings_france_travail_sample.json: job offers in France Travail's `resultats` shape;
- reprises_sample.csv: businesses and farms to take over, in the partner CSV template.

Everything is marked fictitious: generic employer labels, "Exemple fictif" in every title and
description, no salary or price figure, no link. The trades and their weights are the Lot's
most recruiting trades (../shared/facts/lot_facts.md §2.4, La Dépêche, August 2024, number
of offers) and its industrial and farming sectors (§2.2); the communes are the real ones,
drawn by population.

    .venv/bin/python -m scripts.generate_sample_openings [--seed 46] [--out data/sample]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
COMMUNES_CSV = ROOT / "knowledge" / "territory" / "communes.csv"
DEFAULT_OUT = ROOT / "data" / "sample"
JSON_NAME = "openings_france_travail_sample.json"
CSV_NAME = "reprises_sample.csv"
REFERENCE_DATE = date(2026, 11, 25)

SAMPLE_MARK = "Exemple fictif"
EMPLOYER = "Employeur exemple (données fictives)"
CONTACT = "Organisme exemple (données fictives)"
NOTICE = (
    "Exemple fictif : cette offre n'existe pas, elle sert à essayer l'assistant. "
    "Les vraies offres du Lot sont publiées sur francetravail.fr."
)
TAKEOVER_NOTICE = (
    "Exemple fictif : cette annonce n'existe pas, elle sert à essayer l'assistant. "
    "Pour une vraie reprise, adressez-vous à la chambre consulaire de votre secteur."
)


@dataclass(frozen=True)
class Commune:
    insee: str
    name: str
    postal_code: str
    population: int
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Trade:
    title: str
    appellation: str
    rome_code: str
    rome_label: str
    weight: int
    contracts: tuple[str, ...]
    tasks: str


# Weights: number of offers in the Lot per trade (../shared/facts/lot_facts.md §2.4); the
# industrial and farm trades of §2.2/§2.4 that the list does not count get a small weight.
TRADES = (
    Trade("Aide à domicile", "Aide à domicile", "K1302", "Assistance auprès d'adultes", 573,
          ("CDI", "CDD"),
          "Vous accompagnez des personnes âgées ou en situation de handicap dans les gestes "
          "du quotidien, à leur domicile : aide au lever, repas, courses, entretien du logement."),
    Trade("Serveur", "Serveur / Serveuse en restauration", "G1803", "Service en restauration",
          315, ("SAI", "CDD", "CDI"),
          "Vous accueillez la clientèle, prenez les commandes, servez en salle et en terrasse, "
          "et participez à la mise en place et au rangement."),
    Trade("Aide-soignant", "Aide-soignant / Aide-soignante", "J1501",
          "Soins d'hygiène, de confort du patient", 258, ("CDI", "CDD"),
          "Vous assurez les soins d'hygiène et de confort des patients ou des résidents, "
          "en lien avec l'équipe infirmière."),
    Trade("Employé libre-service", "Employé / Employée de libre-service", "D1507",
          "Mise en rayon libre-service", 253, ("CDD", "CDI"),
          "Vous mettez en rayon les produits, veillez à la présentation du magasin, "
          "à l'étiquetage et au renseignement de la clientèle."),
    Trade("Mécanicien automobile", "Mécanicien / Mécanicienne automobile", "I1604",
          "Mécanique automobile et entretien de véhicules", 252, ("CDI",),
          "Vous réalisez l'entretien et les réparations des véhicules de la clientèle, "
          "du diagnostic à la remise en état."),
    Trade("Infirmier", "Infirmier / Infirmière", "J1506", "Soins infirmiers généralistes", 246,
          ("CDI", "CDD"),
          "Vous réalisez les soins infirmiers et assurez le suivi des patients, en lien avec "
          "les médecins et les aides-soignants. Diplôme d'État d'infirmier exigé."),
    Trade("Conducteur poids lourd", "Conducteur / Conductrice poids lourd", "N4101",
          "Conduite de transport de marchandises sur longue distance", 220, ("CDI", "MIS"),
          "Vous livrez des marchandises en poids lourd, chargez et déchargez le véhicule et "
          "veillez à son bon état. Permis C ou CE exigé."),
    Trade("Conducteur de ligne en industrie alimentaire",
          "Conducteur / Conductrice de ligne de production alimentaire", "H2102",
          "Conduite d'équipement de production alimentaire", 219, ("CDI", "MIS"),
          "Vous pilotez une ligne de production alimentaire : réglages, suivi de la qualité, "
          "respect des règles d'hygiène et de sécurité."),
    Trade("Préparateur de commandes", "Préparateur / Préparatrice de commandes", "N1103",
          "Magasinage et préparation de commandes", 212, ("MIS", "CDD"),
          "Vous préparez les commandes en entrepôt, contrôlez les quantités et participez "
          "au chargement."),
    Trade("Maçon", "Maçon / Maçonne", "F1703", "Maçonnerie", 199, ("CDI", "CDD"),
          "Vous réalisez des travaux de maçonnerie en construction neuve et en rénovation, "
          "y compris sur du bâti ancien en pierre."),
    Trade("Agent de conditionnement", "Agent / Agente de conditionnement", "H3301",
          "Conduite d'équipement de conditionnement", 196, ("MIS", "CDD"),
          "Vous conditionnez et emballez les produits sur une ligne, en respectant les "
          "consignes de qualité."),
    Trade("Commis de cuisine", "Commis de cuisine", "G1602", "Personnel de cuisine", 192,
          ("SAI", "CDD"),
          "Vous préparez les légumes, les entrées et les desserts sous la responsabilité "
          "du chef, et participez à l'entretien de la cuisine."),
    Trade("Comptable", "Comptable", "M1203", "Comptabilité", 178, ("CDI",),
          "Vous tenez la comptabilité courante, préparez les déclarations et participez "
          "aux clôtures."),
    Trade("Chef de cuisine", "Chef / Cheffe de cuisine", "G1601",
          "Management du personnel de cuisine", 172, ("CDI", "SAI"),
          "Vous élaborez les menus, encadrez la brigade et gérez les commandes et les stocks."),
    Trade("Agent d'entretien", "Agent / Agente d'entretien de locaux", "K2204",
          "Nettoyage de locaux", 151, ("CDI", "CDD"),
          "Vous assurez le nettoyage et l'entretien des locaux selon un planning établi."),
    Trade("Agent de service hospitalier", "Agent / Agente de service hospitalier", "J1301",
          "Personnel polyvalent des services hospitaliers", 145, ("CDD", "CDI"),
          "Vous assurez l'entretien des chambres et des locaux de soins et participez "
          "à la distribution des repas."),
    Trade("Valet ou femme de chambre", "Valet / Femme de chambre", "G1501", "Personnel d'étage",
          140, ("SAI", "CDD"),
          "Vous préparez les chambres et veillez à la propreté des espaces communs de "
          "l'établissement."),
    Trade("Tourneur-fraiseur", "Tourneur-fraiseur / Tourneuse-fraiseuse", "H2903",
          "Conduite d'équipement d'usinage", 128, ("CDI", "MIS"),
          "Vous usinez des pièces mécaniques sur tour et fraiseuse, à commande numérique ou "
          "conventionnels, à partir de plans."),
    Trade("Équipier de restauration rapide", "Équipier / Équipière polyvalent(e) en restauration "
          "rapide", "G1603", "Personnel polyvalent en restauration", 127, ("CDD", "SAI"),
          "Vous préparez les commandes, tenez la caisse et assurez la propreté du restaurant."),
    Trade("Assistant de vie", "Assistant / Assistante de vie", "K1302",
          "Assistance auprès d'adultes", 121, ("CDI", "CDD"),
          "Vous aidez des personnes dépendantes dans leur vie quotidienne, à domicile : "
          "toilette, repas, déplacements, lien social."),
    Trade("Technicien de maintenance industrielle",
          "Technicien / Technicienne de maintenance industrielle", "I1310",
          "Maintenance mécanique industrielle", 60, ("CDI",),
          "Vous assurez la maintenance préventive et corrective des équipements de production."),
    Trade("Soudeur", "Soudeur / Soudeuse", "H2913", "Soudage manuel", 50, ("CDI", "MIS"),
          "Vous réalisez des assemblages par soudure à partir de plans, et contrôlez "
          "la qualité des soudures."),
    Trade("Chaudronnier", "Chaudronnier / Chaudronnière", "H2902", "Chaudronnerie - tôlerie", 40,
          ("CDI", "MIS"),
          "Vous fabriquez des ensembles chaudronnés : traçage, découpe, mise en forme et "
          "assemblage."),
    Trade("Ouvrier viticole", "Ouvrier / Ouvrière viticole", "A1405", "Arboriculture et "
          "viticulture", 40, ("SAI", "CDD"),
          "Vous participez aux travaux de la vigne selon la saison : taille, palissage, "
          "vendanges."),
)  # fmt: skip

CONTRACT_LABELS = {
    "CDI": "Contrat à durée indéterminée",
    "CDD": "Contrat à durée déterminée",
    "MIS": "Mission intérimaire",
    "SAI": "Contrat travail saisonnier",
}

# (type, title, what the business is)
TAKEOVERS = (
    ("commerce", "Épicerie multiservice à reprendre", "Épicerie de village avec dépôt de pain."),
    ("commerce", "Bar-restaurant à reprendre", "Bar-restaurant avec salle et terrasse."),
    ("commerce", "Librairie-papeterie à reprendre", "Librairie-papeterie en centre-ville."),
    ("commerce", "Hôtel-restaurant à reprendre", "Hôtel-restaurant familial."),
    ("commerce", "Fleuriste à reprendre", "Boutique de fleurs avec atelier."),
    ("commerce", "Bar-tabac-presse à reprendre", "Bar-tabac-presse avec jeux."),
    ("commerce", "Magasin de vêtements à reprendre", "Boutique de prêt-à-porter."),
    ("commerce", "Camping à reprendre", "Camping avec emplacements et locatifs."),
    ("commerce", "Quincaillerie à reprendre", "Quincaillerie et droguerie."),
    ("commerce", "Restaurant traditionnel à reprendre", "Restaurant de cuisine régionale."),
    ("artisanat", "Boulangerie-pâtisserie à reprendre", "Boulangerie-pâtisserie avec fournil."),
    ("artisanat", "Boucherie-charcuterie à reprendre", "Boucherie-charcuterie avec laboratoire."),
    ("artisanat", "Salon de coiffure à reprendre", "Salon de coiffure mixte."),
    ("artisanat", "Garage automobile à reprendre", "Garage de mécanique générale."),
    ("artisanat", "Entreprise de menuiserie à reprendre", "Atelier de menuiserie bois."),
    ("artisanat", "Entreprise de plomberie-chauffage à reprendre", "Plomberie et chauffage."),
    ("artisanat", "Entreprise de maçonnerie à reprendre", "Maçonnerie générale et rénovation."),
    ("artisanat", "Entreprise d'électricité à reprendre", "Électricité générale du bâtiment."),
    ("artisanat", "Atelier d'ébénisterie à reprendre", "Ébénisterie et restauration de meubles."),
    ("artisanat", "Pâtisserie-chocolaterie à reprendre", "Pâtisserie et chocolaterie."),
    ("agricole", "Élevage ovin à transmettre", "Exploitation d'élevage de brebis."),
    ("agricole", "Élevage caprin avec fromagerie à transmettre", "Chèvres et fromagerie."),
    ("agricole", "Noyeraie à transmettre", "Exploitation de noyers."),
    ("agricole", "Exploitation maraîchère à transmettre", "Maraîchage en vente directe."),
    ("agricole", "Exploitation viticole à transmettre", "Vignes et chai."),
    ("agricole", "Élevage de canards à transmettre", "Élevage de canards gras."),
    ("agricole", "Exploitation de grandes cultures à transmettre", "Céréales et oléagineux."),
    ("agricole", "Élevage bovin à transmettre", "Élevage de vaches allaitantes."),
    ("agricole", "Exploitation apicole à transmettre", "Ruchers et miellerie."),
    ("agricole", "Élevage de volailles à transmettre", "Volailles de plein air."),
)


def read_communes(path: Path = COMMUNES_CSV) -> list[Commune]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            Commune(
                insee=row["code_insee"],
                name=row["nom"],
                postal_code=row["codes_postaux"].split(";")[0],
                population=int(row["population_municipale_2023"]),
                latitude=float(row["latitude"]),
                longitude=float(row["longitude"]),
            )
            for row in csv.DictReader(handle)
        ]


def _timestamp(reference: date, rng: random.Random, max_days: int) -> str:
    moment = datetime.combine(reference, time(17, 0), tzinfo=UTC) - timedelta(
        days=rng.randrange(max_days), minutes=rng.randrange(8 * 60)
    )
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def job_offer(
    number: int, trade: Trade, commune: Commune, rng: random.Random, reference: date
) -> dict[str, Any]:
    """One fictitious offer in France Travail's shape."""
    contract = rng.choice(trade.contracts)
    created = _timestamp(reference, rng, 45)
    schedule = rng.choice(("à temps plein", "à temps partiel"))
    return {
        "id": f"EX{number:06d}",
        "intitule": f"{trade.title} (H/F) – {SAMPLE_MARK}",
        "description": f"{trade.tasks} Poste {schedule} à {commune.name}.\n\n{NOTICE}",
        "dateCreation": created,
        "dateActualisation": created,
        "lieuTravail": {
            "libelle": f"46 - {commune.name.upper()}",
            "latitude": commune.latitude,
            "longitude": commune.longitude,
            "codePostal": commune.postal_code,
            "commune": commune.insee,
        },
        "romeCode": trade.rome_code,
        "romeLibelle": trade.rome_label,
        "appellationlibelle": trade.appellation,
        "entreprise": {"nom": EMPLOYER},
        "typeContrat": contract,
        "typeContratLibelle": CONTRACT_LABELS[contract],
        "salaire": {"libelle": f"Selon profil ({SAMPLE_MARK.lower()})"},
    }


def generate_jobs(
    rng: random.Random, communes: list[Commune], count: int, reference: date
) -> list[dict[str, Any]]:
    trades = rng.choices(TRADES, weights=[trade.weight for trade in TRADES], k=count)
    places = rng.choices(communes, weights=[commune.population for commune in communes], k=count)
    return [
        job_offer(number, trade, commune, rng, reference)
        for number, (trade, commune) in enumerate(zip(trades, places, strict=True), start=1)
    ]


def generate_takeovers(
    rng: random.Random, communes: list[Commune], reference: date
) -> list[dict[str, str]]:
    by_population = [commune.population for commune in communes]
    rows = []
    for number, (kind, title, what) in enumerate(TAKEOVERS, start=1):
        # Farms are spread over the countryside; shops and workshops follow the population.
        commune = (
            rng.choice(communes)
            if kind == "agricole"
            else rng.choices(communes, weights=by_population)[0]
        )
        published = reference - timedelta(days=rng.randrange(90))
        rows.append(
            {
                "reference": f"EX-REPRISE-{number:03d}",
                "type": kind,
                "intitule": f"{title} – {SAMPLE_MARK}",
                "description": f"{what} Cession pour départ à la retraite. {TAKEOVER_NOTICE}",
                "commune": commune.name,
                "prix_indicatif": f"Communiqué sur demande ({SAMPLE_MARK.lower()})",
                "date_publication": published.isoformat(),
                "lien": "",
                "contact_organisme": CONTACT,
            }
        )
    return rows


def write_files(out: Path, seed: int, jobs: int, reference: date) -> tuple[Path, Path]:
    rng = random.Random(seed)
    communes = read_communes()
    out.mkdir(parents=True, exist_ok=True)
    json_path, csv_path = out / JSON_NAME, out / CSV_NAME
    offers = generate_jobs(rng, communes, jobs, reference)
    json_path.write_text(
        json.dumps({"resultats": offers}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    takeovers = generate_takeovers(rng, communes, reference)
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(takeovers[0]), delimiter=";")
        writer.writeheader()
        writer.writerows(takeovers)
    return json_path, csv_path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=46)
    parser.add_argument("--jobs", type=int, default=300)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--reference-date", type=date.fromisoformat, default=REFERENCE_DATE)
    args = parser.parse_args()
    paths = write_files(args.out, args.seed, args.jobs, args.reference_date)
    for path in paths:
        print(f"écrit : {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
