"""Rebuild the gazetteer and puskesmas parts of centers/kendari.toml from the source CSVs.

Run by hand when the reference data changes:
    python tools/kendari_center_from_csv.py KELURAHAN.csv PUSKESMAS.csv > part.toml
The CSVs' sources are named in src/siaga112/centers/README.md.
"""

from __future__ import annotations

import csv
import re
import sys

KECAMATAN = ["Abeli", "Baruga", "Kadia", "Kambu", "Kendari", "Kendari Barat", "Mandonga",
             "Nambo", "Poasia", "Puuwatu", "Wua-Wua"]
# Known slips in the source's address text (see shared data README): Rahandouna is in Poasia.
KECAMATAN_FIX = {"Rahandouna": "Poasia"}


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main(kelurahan_csv: str, puskesmas_csv: str) -> None:
    print('[gazetteer]\nsource = "Kantor lurah locations: public repository '
          'andinurhidaya/SIG-Kantor-Kelurahan-Kota-Kendari (db_sig (1).sql, 2024-07-16)"\n')
    for k in KECAMATAN:
        print(f"[[gazetteer.kecamatan]]\ncode = {q(slug(k))}\nname = {q(k)}\n")
    for row in csv.DictReader(open(kelurahan_csv, encoding="utf-8")):
        name = re.sub(r"^Kantor (Lurah|Kelurahan)\s+", "", row["name"]).strip()
        name = name[0].upper() + name[1:]
        match = re.search(r"Kec\.\s*([^,]+)", row["address"])
        kec = KECAMATAN_FIX.get(name) or match.group(1).strip().replace("Kendari Bar.", "Kendari Barat")
        print(f"[[gazetteer.kelurahan]]\ncode = {q(slug(name))}\nname = {q(name)}\n"
              f"kecamatan = {q(slug(kec))}\nlat = {row['lat']}\nlon = {row['lon']}\n")
    for row in csv.DictReader(open(puskesmas_csv, encoding="utf-8")):
        print(f"[[stations]]\ncode = {q(slug(row['name']))}\nname = {q(row['name'])}\n"
              f"agency = \"dinkes\"\nlat = {row['lat']}\nlon = {row['lon']}\n"
              f"address = {q(row['address'])}\n" + (f"phone = {q(row['phone'])}\n" if row["phone"] else "")
              + 'source = "public repository madukubah/psc-kendari (database/psc2.sql, 2020)"\n')


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
