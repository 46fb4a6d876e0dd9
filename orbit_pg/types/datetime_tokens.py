"""The words date/time input knows (datetime.c's datetktbl and deltatktbl, and the Default
timezone_abbreviations set), the field kinds ParseDateTime gives, and the field masks."""

from __future__ import annotations

from typing import Any

# Field kinds from ParseDateTime
F_NUMBER, F_STRING, F_DATE, F_TIME, F_TZ, F_SPECIAL = range(6)

# Token types; each is also its bit in the field masks (DTK_M)
RESERV, MONTH, YEAR, DAY, JULIAN, TZ, DTZ, DYNTZ, IGNORE, AMPM = range(10)
HOUR, MINUTE, SECOND, MILLISECOND, MICROSECOND, DOY, DOW, UNITS, ADBC, AGO = range(10, 20)
ISOTIME, WEEK, DECADE, CENTURY, MILLENNIUM, DTZMOD, UNKNOWN = 23, 24, 25, 26, 27, 28, 31
DATE_M = 1 << YEAR | 1 << MONTH | 1 << DAY
ALL_SECS_M = 1 << SECOND | 1 << MILLISECOND | 1 << MICROSECOND
TIME_M = 1 << HOUR | 1 << MINUTE | ALL_SECS_M
_TOKMAXLEN = 10  # keywords are compared on their first ten characters

_MONTH_NAMES = (
    "jan january feb february mar march apr april may may jun june "
    "jul july aug august sep september oct october nov november dec december"
).split()
DATE_TOKENS: dict[str, tuple[int, Any]] = {  # datetktbl
    "-infinity": (RESERV, "early"),
    "ad": (ADBC, False),
    "allballs": (RESERV, "zulu"),
    "am": (AMPM, "am"),
    "at": (IGNORE, None),
    "bc": (ADBC, True),
    "d": (UNITS, "day"),
    "dow": (UNITS, "dow"),
    "doy": (UNITS, "doy"),
    "dst": (DTZMOD, 3600),
    "epoch": (RESERV, "epoch"),
    "h": (UNITS, "hour"),
    "infinity": (RESERV, "late"),
    "isodow": (UNITS, "isodow"),
    "isoyear": (UNITS, "isoyear"),
    "j": (UNITS, "julian"),
    "jd": (UNITS, "julian"),
    "julian": (UNITS, "julian"),
    "m": (UNITS, "month"),
    "mm": (UNITS, "minute"),
    "now": (RESERV, "now"),
    "on": (IGNORE, None),
    "pm": (AMPM, "pm"),
    "s": (UNITS, "second"),
    "sept": (MONTH, 9),
    "t": (ISOTIME, "time"),
    "today": (RESERV, "today"),
    "tomorrow": (RESERV, "tomorrow"),
    "y": (UNITS, "year"),
    "yesterday": (RESERV, "yesterday"),
    **{name: (MONTH, i // 2 + 1) for i, name in enumerate(_MONTH_NAMES)},
    **{
        name: (DOW, day)
        for day, names in enumerate(
            ["sun sunday", "mon monday", "tue tues tuesday", "wed weds wednesday", "thu thur thurs thursday"]
            + ["fri friday", "sat saturday"]
        )
        for name in names.split()
    },
}
_UNIT_NAMES = {  # deltatktbl, by unit
    "century": "c cent centuries century",
    "day": "d day days",
    "decade": "dec decade decades decs",
    "hour": "h hour hours hr hrs",
    "minute": "m min mins minute minutes",
    "microsec": "microsecon us usec usecs useconds",
    "millennium": "mil millennia millennium mils",
    "millisec": "millisecon ms msec msecs mseconds",
    "month": "mon mons month months",
    "quarter": "qtr quarter",
    "second": "s sec second seconds secs",
    "tz": "timezone",
    "tz_hour": "timezone_h",
    "tz_minute": "timezone_m",
    "week": "w week weeks",
    "year": "y year years yr yrs",
}
DELTA_TOKENS: dict[str, tuple[int, Any]] = {
    "@": (IGNORE, None),
    "ago": (AGO, None),
    **{name: (UNITS, unit) for unit, names in _UNIT_NAMES.items() for name in names.split()},
}

# The "Default" timezone_abbreviations set: fixed offsets east of UTC in seconds ("D" marks daylight
# time), then abbreviations whose offset follows a zone's history.
_FIXED_ABBREVIATIONS = """
eat 10800 sast 7200 wat 3600 act -18000 akdt -28800D akst -32400 bot -14400 bra -10800 brst -7200D brt -10800
cot -18000 cdt -18000D clst -10800D cst -21600 edt -14400D egst 0D egt -3600 est -18000 fnt -7200 fnst -3600D
gft -10800 mdt -21600D mst -25200 ndt -9000D nft -12600 nst -12600 pet -18000 pdt -25200D pmdt -7200D
pmst -10800 pst -28800 pyst -10800D uyst -7200D uyt -10800 wgst -7200D wgt -10800 ddut 36000 aft 16200
almt 21600 almst 25200D amt -14400 bdt 21600 bnt 28800 bort 28800 btt 21600 cct 28800 hkt 28800 ict 25200
idt 10800D irt 12600 ist 7200 jayt 32400 jst 32400 kdt 36000D kgst 21600D kst 32400 mmt 23400 myt 28800
npt 20700 pht 28800 pkt 18000 pkst 21600D tjt 18000 ulast 32400D uzst 21600D uzt 18000 xjt 21600
yekst 21600D adt -10800D ast -14400 azost 0D azot -3600 acsst 37800D acdt 37800D acst 34200 acwst 31500
aesst 39600D aedt 39600D aest 36000 awsst 32400D awst 28800 cadt 37800D cast 34200 lhst 37800 ligt 36000
nzt 43200 sadt 37800D wadt 28800D wast 25200 wdt 32400D gmt 0 uct 0 ut 0 utc 0 z 0 zulu 0 bst 3600D
bdst 7200D cest 7200D cet 3600 cetdst 7200D eest 10800D eet 7200 eetdst 10800D fet 10800 mest 7200D
mesz 7200D met 3600 metdst 7200D mez 3600 msd 14400D wet 0 wetdst 3600D cxt 25200 mut 14400 must 18000D
mvt 18000 ret 14400 sct 14400 tft 18000 chadt 49500D chast 45900 chut 36000 fjst 46800D fjt 43200
galt -21600 gamt -32400 gilt 43200 hst -36000 mart -34200 mht 43200 mpt 36000 nzdt 46800D nzst 43200
pgt 36000 pont 39600 pwt 32400 taht -36000 tot 46800 trut 36000 tvt 43200 vut 39600 wakt 43200 wft 43200
yapt 36000
""".split()
_DYNAMIC_ABBREVIATIONS = """
art=America/Argentina/Buenos_Aires arst=America/Argentina/Buenos_Aires clt=America/Santiago gyt=America/Guyana
pyt=America/Asuncion vet=America/Caracas davt=Antarctica/Davis mawt=Antarctica/Mawson amst=Asia/Yerevan
anast=Asia/Anadyr anat=Asia/Anadyr azst=Asia/Baku azt=Asia/Baku gest=Asia/Tbilisi get=Asia/Tbilisi
irkst=Asia/Irkutsk irkt=Asia/Irkutsk kgt=Asia/Bishkek krast=Asia/Krasnoyarsk krat=Asia/Krasnoyarsk
lkt=Asia/Colombo magst=Asia/Magadan magt=Asia/Magadan novst=Asia/Novosibirsk novt=Asia/Novosibirsk
omsst=Asia/Omsk omst=Asia/Omsk petst=Asia/Kamchatka pett=Asia/Kamchatka sgt=Asia/Singapore tmt=Asia/Ashgabat
ulat=Asia/Ulaanbaatar vlast=Asia/Vladivostok vlat=Asia/Vladivostok yakst=Asia/Yakutsk yakt=Asia/Yakutsk
yekt=Asia/Yekaterinburg fkst=Atlantic/Stanley fkt=Atlantic/Stanley lhdt=Australia/Lord_Howe msk=Europe/Moscow
volt=Europe/Volgograd iot=Indian/Chagos ckt=Pacific/Rarotonga easst=Pacific/Easter east=Pacific/Easter
kost=Pacific/Kosrae lint=Pacific/Kiritimati nut=Pacific/Niue tkt=Pacific/Fakaofo
""".split()
ABBREVIATIONS: dict[str, tuple[int, Any]] = {
    **{
        name: (DTZ if offset.endswith("D") else TZ, int(offset.rstrip("D")))
        for name, offset in zip(_FIXED_ABBREVIATIONS[::2], _FIXED_ABBREVIATIONS[1::2], strict=True)
    },
    **{name: (DYNTZ, zone) for name, _, zone in (entry.partition("=") for entry in _DYNAMIC_ABBREVIATIONS)},
}


def token(table: dict[str, tuple[int, Any]], word: str) -> tuple[int, Any]:
    return table.get(word[:_TOKMAXLEN], (UNKNOWN, None))
