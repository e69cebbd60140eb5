"""Title vocabulary for the sample catalog: per-topic templates in English, Sinhala and Tamil.

Real Sri Lankan titles mix scripts ("Office එකේ ... | Episode 12"), so the templates do too. Most
carry a Latin topic word, so an English-only text model still gets some signal; some are purely
Sinhala or Tamil, so a multilingual one has an edge. Topics share slot vocabularies (dishes, places)
so that titles alone cannot separate every channel.

A slot such as ``{dish}`` draws one row per title: ``{dish}`` is that row in the template's
language, ``{dish_en}`` its English/romanised name, so "{dish} | {dish_en} Recipe" names one dish.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import datetime

LANGUAGES = ("en", "si", "ta")


def _rows(languages: str, *rows: tuple[str, ...]) -> tuple[dict[str, str], ...]:
    keys = languages.split()
    return tuple(dict(zip(keys, row, strict=True)) for row in rows)


# A row is only drawn when it has the template's language and the channel's primary one: a Tamil
# music channel's English titles then name Tamil songs, never Sinhala ones.
SLOTS: dict[str, tuple[dict[str, str], ...]] = {
    "dish": _rows(
        "en si ta",
        ("Chicken Kottu", "චිකන් කොත්තු", "சிக்கன் கொத்து"),
        ("Fish Curry", "මාළු ව්‍යංජනය", "மீன் குழம்பு"),
        ("Dhal Curry", "පරිප්පු", "பருப்பு கறி"),
        ("String Hoppers", "ඉඳිආප්ප", "இடியப்பம்"),
        ("Egg Hoppers", "බිත්තර ආප්ප", "முட்டை அப்பம்"),
        ("Pol Sambol", "පොල් සම්බෝල", "தேங்காய் சம்பல்"),
        ("Kiribath", "කිරිබත්", "பால் சோறு"),
        ("Chicken Curry", "කුකුල් මස් ව්‍යංජනය", "கோழி கறி"),
        ("Watalappan", "වටලප්පන්", "வட்டிலப்பம்"),
        ("Pittu", "පිට්ටු", "புட்டு"),
        ("Jackfruit Curry", "කොස් ව්‍යංජනය", "பலாக்காய் கறி"),
        ("Sprats Fry", "හාල්මැස්සෝ තෙම්පරාදුව", "நெத்தலி பொரியல்"),
        ("Vadai", "වඩේ", "வடை"),
        ("Fried Rice", "ෆ්‍රයිඩ් රයිස්", "ஃபிரைட் ரைஸ்"),
    ),
    "place": _rows(
        "en si ta",
        ("Colombo", "කොළඹ", "கொழும்பு"),
        ("Kandy", "මහනුවර", "கண்டி"),
        ("Jaffna", "යාපනය", "யாழ்ப்பாணம்"),
        ("Galle", "ගාල්ල", "காலி"),
        ("Ella", "ඇල්ල", "எல்ல"),
        ("Nuwara Eliya", "නුවරඑළිය", "நுவரெலியா"),
        ("Trincomalee", "ත්‍රිකුණාමලය", "திருகோணமலை"),
        ("Sigiriya", "සීගිරිය", "சீகிரியா"),
        ("Batticaloa", "මඩකලපුව", "மட்டக்களப்பு"),
        ("Anuradhapura", "අනුරාධපුරය", "அனுராதபுரம்"),
        ("Mirissa", "මිරිස්ස", "மிரிஸ்ஸ"),
    ),
    "team": _rows(
        "en si",
        ("India", "ඉන්දියාව"),
        ("Pakistan", "පාකිස්තානය"),
        ("Australia", "ඕස්ට්‍රේලියාව"),
        ("England", "එංගලන්තය"),
        ("Bangladesh", "බංග්ලාදේශය"),
        ("New Zealand", "නවසීලන්තය"),
        ("South Africa", "දකුණු අප්‍රිකාව"),
        ("Afghanistan", "ඇෆ්ගනිස්ථානය"),
    ),
    "format": _rows("en si", *((f, f) for f in ("T20", "ODI", "Test", "Asia Cup", "World Cup"))),
    "news": _rows(
        "en si ta",
        ("Fuel Prices", "ඉන්ධන මිල", "எரிபொருள் விலை"),
        ("Election", "මැතිවරණය", "தேர்தல்"),
        ("Weather", "කාලගුණය", "வானிலை"),
        ("Budget", "අයවැය", "வரவு செலவுத் திட்டம்"),
        ("Exam Results", "විභාග ප්‍රතිඵල", "பரீட்சை முடிவுகள்"),
        ("Parliament", "පාර්ලිමේන්තුව", "நாடாளுமன்றம்"),
        ("Economy", "ආර්ථිකය", "பொருளாதாரம்"),
        ("Floods", "ගංවතුර", "வெள்ளம்"),
        ("Train Strike", "දුම්රිය වැඩ වර්ජනය", "ரயில் வேலைநிறுத்தம்"),
    ),
    "song": _rows(
        "en si",
        ("Sanda Eliya", "සඳ එළිය"),
        ("Mal Wassa", "මල් වැස්ස"),
        ("Nil Ahasa", "නිල් අහස"),
        ("Muhudu Sulanga", "මුහුදු සුළඟ"),
        ("Hitha Horen", "හිත හොරෙන්"),
        ("Adare Kathawa", "ආදරේ කතාව"),
        ("Piyaba Yanna", "පියාඹා යන්න"),
        ("Wasantha Sihine", "වසන්ත සිහිනේ"),
    )
    + _rows(
        "en ta",
        ("Mazhaithuli", "மழைத்துளி"),
        ("Kadal Alai", "கடல் அலை"),
        ("Uyir Thozhi", "உயிர் தோழி"),
        ("Kanavu Pookkal", "கனவு பூக்கள்"),
        ("Vaanavil", "வானவில்"),
        ("Nila Oli", "நிலா ஒளி"),
        ("Thendral", "தென்றல்"),
        ("Poovizhi", "பூவிழி"),
    ),
    "singer": _rows(
        "en si",
        *((n, n) for n in ("Kasun Perera", "Nethmi Silva", "Dilan Fernando", "Sachini Jayasinghe")),
    )
    + _rows(
        "en ta", *((n, n) for n in ("Priya Rajan", "Tharshan K", "Kavin Sivakumar", "Anu Mohan"))
    ),
    "game": _rows(
        "en si",
        *(
            (g, g)
            for g in ("Free Fire", "PUBG Mobile", "Minecraft", "GTA V", "Valorant", "COD Mobile")
        ),
    ),
    "device": _rows(
        "en si",
        *(
            (d, d)
            for d in (
                "Galaxy A35",
                "Redmi Note 13",
                "iPhone 15",
                "Pixel 8a",
                "realme C67",
                "Infinix Hot 40",
            )
        ),
    ),
    "theme": _rows(
        "en si",
        ("Office", "ඔෆිස්"),
        ("Wedding", "මඟුල"),
        ("Exam Day", "විභාග දවස"),
        ("Bus Ride", "බස් ගමන"),
        ("Tuition Class", "ටියුෂන් පන්තිය"),
        ("Avurudu", "අවුරුදු"),
        ("Cricket Match", "ක්‍රිකට් මැච් එක"),
        ("Family Dinner", "පවුලේ රෑ කෑම"),
    ),
    "subject": _rows(
        "en ta",
        ("Maths", "கணிதம்"),
        ("Physics", "பௌதிகவியல்"),
        ("Chemistry", "இரசாயனவியல்"),
        ("Biology", "உயிரியல்"),
        ("Science", "விஞ்ஞானம்"),
        ("English", "ஆங்கிலம்"),
        ("ICT", "தகவல் தொழில்நுட்பம்"),
        ("Combined Maths", "இணைந்த கணிதம்"),
    ),
    "show": _rows(
        "en si",
        ("Hiru Dahasa", "හිරු දහස"),
        ("Mal Kekulu", "මල් කැකුළු"),
        ("Wasanthaye Sihinaya", "වසන්තයේ සිහිනය"),
        ("Ganga Addara", "ගඟ අද්දර"),
    ),
    "rhyme": _rows(
        "en si ta",
        ("Little Elephant", "පුංචි අලියා", "குட்டி யானை"),
        ("Rainbow", "දේදුන්න", "வானவில்"),
        ("Moon Song", "හඳ මාමා", "நிலா நிலா"),
        ("Colours", "පාට", "நிறங்கள்"),
        ("Numbers 1-10", "ඉලක්කම් 1-10", "எண்கள் 1-10"),
        ("Animals", "සතුන්", "விலங்குகள்"),
        ("Alphabet", "හෝඩිය", "அரிச்சுவடி"),
        ("Birthday Song", "උපන්දින ගීතය", "பிறந்தநாள் பாடல்"),
    ),
    "activity": _rows(
        "en si",
        ("Morning Routine", "උදේ රුටීන් එක"),
        ("Grocery Haul", "සුපර් මාර්කට් එකට ගියා"),
        ("Village Visit", "ගමේ ගියා"),
        ("Cooking Lunch", "දවල් කෑම හැදුවා"),
        ("Beach Day", "මුහුදු ගියා"),
        ("House Tour", "අපේ ගෙදර"),
    ),
}


@dataclass(frozen=True)
class Topic:
    """Title templates per language, and short Latin captions drawn on the thumbnail."""

    templates: dict[str, tuple[str, ...]]
    captions: tuple[str, ...]


TOPICS: dict[str, Topic] = {
    "cooking": Topic(
        templates={
            "en": (
                "{dish_en} Recipe | Easy Sri Lankan Cooking",
                "How to make {dish_en} at home",
                "Spicy {dish_en} | Village Style Recipe",
                "{dish_en} in {n} minutes | Quick Dinner Recipe",
            ),
            "si": (
                "{dish} හදන හැටි | {dish_en} Recipe",
                "ගෙදරදීම රසවත් {dish} හදමු | Easy Recipe",
                "රසම රස {dish} 😋 | Sri Lankan Food",
                "{dish} ලේසියෙන්ම | {n} min Recipe",
                "අම්මාගේ {dish} රහස",
                "රසවත් {dish} හදන ක්‍රමය",
            ),
        },
        captions=("{dish_en}", "EASY RECIPE", "HOME MADE", "SPICY!", "{n} MIN"),
    ),
    "street food": Topic(
        templates={
            "en": (
                "Street Food Tour in {place_en} | {dish_en} for Rs. {price}",
                "Trying {dish_en} at a Night Market | {place_en}",
                "Best Street Food in {place_en}? 🔥",
            ),
            "si": (
                "{place_en} Street Food | රුපියල් {price}ට {dish}",
                "රාත්‍රී කෑම පොළ | Night Market {place_en}",
            ),
            "ta": (
                "{place} தெரு உணவு | Street Food Tour",
                "{place} நகரில் சிறந்த {dish} | Food Vlog",
                "{price} ரூபாய்க்கு {dish} | Street Food",
                "சுவையான {dish} தேடி ஒரு பயணம்",
            ),
        },
        captions=("RS.{price}", "STREET FOOD", "{place_en}", "{dish_en}", "MUST TRY"),
    ),
    "cricket": Topic(
        templates={
            "en": (
                "Sri Lanka vs {team_en} | {format} Highlights {year}",
                "Last Over Thriller! Sri Lanka vs {team_en} | Match Highlights",
                "Sri Lanka Squad for {team_en} Series | Cricket Analysis",
                "Top {n} Sixes | Sri Lanka vs {team_en} {format}",
            ),
            "si": (
                "ශ්‍රී ලංකා vs {team_en} | {format} Highlights",
                "{team} සමඟ තරගය | Cricket Analysis",
                "ලංකාවට ජයග්‍රහණයක් 🏆 | Sri Lanka vs {team_en} Highlights",
                "අවසන් ඕවරයේ ජයග්‍රහණය | {team} තරගය",
                "ක්‍රිකට් විශ්ලේෂණය | {team} තරගාවලිය",
            ),
        },
        captions=("SL VS {team_en}", "HIGHLIGHTS", "{format}", "WIN!", "TOP {n}"),
    ),
    "news": Topic(
        templates={
            "en": (
                "Evening News | {date_en}",
                "{news_en} Update | Sri Lanka News {date_num}",
                "Breaking: {news_en} in {place_en}",
            ),
            "si": (
                "රාත්‍රී 7 ප්‍රවෘත්ති | {date_num}",
                "{news} ගැන නවතම තොරතුරු | Breaking News",
                "{news}: {place} ප්‍රදේශයේ තත්ත්වය",
                "🔴 LIVE | ප්‍රධාන පුවත් {date_num}",
                "{news} | News Update {date_num}",
            ),
            "ta": (
                "இன்றைய செய்திகள் | {date_num}",
                "{news} - முக்கிய செய்திகள் | News {date_num}",
                "🔴 LIVE | இரவு செய்திகள் {date_num}",
                "{place} பகுதியில் {news} நிலைமை",
                "Breaking News | {news} குறித்து புதிய தகவல்",
            ),
        },
        captions=("BREAKING", "LIVE", "NEWS", "{news_en}", "{date_num}"),
    ),
    "music": Topic(
        templates={
            "en": (
                "{song_en} - {singer} | Official Audio",
                "{song_en} (Lyrics) | New Song {year}",
                "Best Love Songs Nonstop | {n} Songs",
            ),
            "si": (
                "{song} | {song_en} - Official Music Video",
                "{song} ({song_en}) | Cover Song",
                "{song} ගීතය | Live Performance",
                "අලුත්ම සිංදුව - {song}",
                "{song} | {singer} | Lyrics Video",
                "ආදර ගීත එකතුව | Love Songs Nonstop",
            ),
            "ta": (
                "{song} | {song_en} - Official Video Song",
                "{song} பாடல் | Lyrics Video",
                "புதிய தமிழ் பாடல் - {song}",
                "இனிய காதல் பாடல்கள் | Nonstop Songs",
                "{song} | Cover by {singer}",
            ),
        },
        captions=("{song_en}", "NEW SONG", "LYRICS", "LIVE", "COVER"),
    ),
    "gaming": Topic(
        templates={
            "en": (
                "{game} Ranked Push | Live Stream #{ep}",
                "{game} Funny Moments 😂 | Episode {ep}",
                "I Survived {n} Days in {game}",
                "{game} Tips & Tricks for Beginners",
                "🔴 LIVE {game} Tournament Finals",
            ),
            "si": (
                "{game} සෙල්ලම් කරමු | Live Stream #{ep}",
                "{game} අලුත් Update එක 🔥",
                "මෙන්න {game} වල හොඳම Tips",
            ),
        },
        captions=("{game}", "GG!", "WIN #{ep}", "LIVE", "{n} KILLS"),
    ),
    "tech": Topic(
        templates={
            "en": (
                "{device} Review | Worth Buying in Sri Lanka?",
                "{device} Unboxing & First Impressions",
                "Best Phones Under Rs. {kprice},000 | {year}",
                "{device} Camera Test | Day & Night",
            ),
            "si": (
                "{device} Review එක | ගන්න වටිනවද?",
                "රුපියල් {kprice},000කට අඩු හොඳම ෆෝන් | {year}",
                "{device} Unboxing | සිංහලෙන්",
                "{year} ලැප්ටොප් එකක් ගන්න කලින් මේක බලන්න",
                "{device} බැටරි Test 🔋 | {n} Hours",
            ),
        },
        captions=("{device}", "REVIEW", "UNBOXING", "VS", "UNDER {kprice}K"),
    ),
    "travel": Topic(
        templates={
            "en": (
                "{place_en} Travel Vlog | Sri Lanka {year}",
                "Hidden Waterfall near {place_en} 🌿",
                "Train Ride to {place_en} | Most Beautiful Journey",
                "{place_en} | {place_si} | {place_ta} - Travel Guide",
            ),
            "si": (
                "{place} සංචාරය | {place_en} Travel Vlog",
                "{place} යමු 🚆 | Train Journey",
                "ලස්සනම {place} ගමන",
            ),
            "ta": (
                "{place} பயணம் | Travel Vlog",
                "{place} சுற்றுலா - அழகான இடங்கள்",
                "{place} | Sri Lanka Travel Guide தமிழில்",
            ),
        },
        captions=("{place_en}", "TRAVEL VLOG", "HIDDEN GEM", "SRI LANKA", "DAY {n}"),
    ),
    "comedy": Topic(
        templates={
            "en": (
                "When the {theme_en} Goes Wrong 😂 | Sri Lankan Comedy",
                "Types of People at a {theme_en} #shorts",
            ),
            "si": (
                "{theme} විහිළුව 😂 | Comedy Sketch",
                "{theme_en} එකේ වෙන දේවල් 😂 | Sinhala Comedy",
                "අම්මලා vs ළමයි | {theme_en} Edition 🤣",
                "{theme} - කෙටි හාස්‍ය නාට්‍යය",
                "{theme_en} 😂 හිනා වෙලා මැරෙයි #shorts",
            ),
        },
        captions=("LOL", "{theme_en}", "PART {n}", "FUNNY", "WAIT FOR IT"),
    ),
    "education": Topic(
        templates={
            "en": (
                "{subject_en} Grade {grade} | Lesson {ep} | O/L Revision",
                "A/L {subject_en} Past Paper {year} Discussion",
            ),
            "ta": (
                "{subject} | O/L {year} | பாடம் {ep}",
                "A/L {subject_en} - {subject} பாடம் {ep} | Revision",
                "{subject} வினாத்தாள் விடை | Past Paper {year}",
                "{subject} - எளிய முறையில் கற்போம்",
                "{year} பரீட்சைக்கு தயாராகுங்கள் | {subject}",
            ),
        },
        captions=("{subject_en}", "LESSON {ep}", "GRADE {grade}", "PAST PAPER", "A/L {year}"),
    ),
    "teledrama": Topic(
        templates={
            "en": (
                "{show_en} | Episode {ep} | {date_en}",
                "{show_en} - Behind the Scenes",
            ),
            "si": (
                "{show} ({show_en}) | Episode {ep} | {date_en}",
                "{show} | කොටස {ep}",
                "{show} ටෙලිනාට්‍යය | {ep} වන කොටස",
                "{show_en} - Episode {ep} Preview | සඳුදා සිට සිකුරාදා රාත්‍රී 8.00ට",
            ),
        },
        captions=("EP {ep}", "{show_en}", "PREVIEW", "TONIGHT", "EPISODE {ep}"),
    ),
    "kids": Topic(
        templates={
            "en": (
                "{rhyme_en} | Nursery Rhymes for Kids",
                "Learn {rhyme_en} with Fun Animation 🎨",
            ),
            "si": (
                "{rhyme} | ළමා ගීත | Kids Songs",
                "{rhyme} - ළමා කතා 🧸",
                "පුංචි අයට {rhyme}",
                "{rhyme} | Sinhala Cartoon for Kids",
            ),
            "ta": (
                "{rhyme} | சிறுவர் பாடல்கள் | Kids Songs",
                "குழந்தைகளுக்கான {rhyme}",
            ),
        },
        captions=("KIDS", "{rhyme_en}", "ABC", "SING ALONG", "FUN!"),
    ),
    "vlog": Topic(
        templates={
            "en": (
                "A Day in My Life | {activity_en}",
                "{activity_en} Vlog | Life in Sri Lanka",
                "We went to {place_en}! | Family Vlog",
            ),
            "si": (
                "මගේ දවසක් | {activity_en} Vlog ❤️",
                "{activity} 🥰 | Daily Vlog",
                "අපි {place} ගියා | Family Vlog",
                "{dish} හැදුවා 😋 | Cooking Vlog",
                "ගොඩක් අය ඇහුව {activity_en} Video එක",
            ),
        },
        captions=("VLOG", "{activity_en}", "DAY {n}", "{place_en}", "MY DAY"),
    ),
}


class _Fill(dict[str, object]):
    """format_map mapping that draws each slot's row the first time a template asks for it."""

    def __init__(
        self, numbers: dict[str, object], language: str, primary: str, rng: random.Random
    ) -> None:
        super().__init__(numbers)
        self._language, self._primary, self._rng = language, primary, rng
        self._rows: dict[str, dict[str, str]] = {}

    def __missing__(self, key: str) -> str:
        name, language = key, self._language
        if key[-3:-2] == "_" and key[-2:] in LANGUAGES:
            name, language = key[:-3], key[-2:]
        if name not in self._rows:
            rows = [r for r in SLOTS[name] if self._language in r and self._primary in r]
            self._rows[name] = self._rng.choice(rows)
        return self._rows[name][language]


def _date_en(day: datetime) -> str:
    suffix = "th" if 11 <= day.day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day.day % 10, "th")
    return f"{day.day}{suffix} {day:%B %Y}"


def make_title(
    topic: str, language: str, primary: str, rng: random.Random, published: datetime, episode: int
) -> tuple[str, str]:
    """Return (title, thumbnail caption) for one video; both name the same dish, place, etc."""
    numbers: dict[str, object] = {
        "n": rng.randint(3, 12),
        "price": rng.choice((150, 250, 300, 450, 500, 750, 1000, 1500)),
        "kprice": rng.choice((30, 40, 50, 75, 100, 150)),
        "grade": rng.randint(6, 11),
        "ep": episode,
        "year": published.year,
        "date_en": _date_en(published),
        "date_num": f"{published:%d.%m.%Y}",
    }
    fill = _Fill(numbers, language, primary, rng)
    vocab = TOPICS[topic]
    title = rng.choice(vocab.templates[language]).format_map(fill)
    caption = rng.choice(vocab.captions).format_map(fill).upper()
    return unicodedata.normalize("NFC", title), caption
