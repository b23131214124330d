"""The answer to "would you like to update your review?", read against that question (issue 19.7)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.understanding.answers import declined_wishes, revision_answer

# (language, what a buyer wrote, what it means): written the way buyers answer, typos and missing accents in.
ANSWERS = [
    ("en", "Fair enough, I'll bump it up to 3 stars", "revised"),
    ("en", "already updated it :)", "revised"),
    ("en", "ive changed it to 4 stars", "revised"),
    ("en", "I'll change it tonight", "revised"),
    ("en", "I won't change it, sorry. The delivery was still a mess.", "kept"),
    ("en", "I'll leave it as it is", "kept"),
    ("en", "maybe later", "later"),
    ("en", "not now, I'm at work", "later"),
    ("pl", "Zmienię na 4 gwiazdki, dzięki", "revised"),
    ("pl", "juz poprawilam opinie", "revised"),
    ("pl", "nie bede zmieniac, niech zostanie", "kept"),
    ("pl", "moze pozniej", "later"),
    ("sv", "Jag ändrar den i kväll", "revised"),
    ("sv", "har redan ändrat till 4 stjärnor", "revised"),
    ("sv", "nej tack, jag låter den vara", "kept"),
    ("sv", "kanske senare", "later"),
    ("de", "Hab die Bewertung schon geändert", "revised"),
    ("de", "ich ändere sie gleich auf 4 Sterne", "revised"),
    ("de", "Nein danke, die bleibt so.", "kept"),
    ("de", "vielleicht später mal", "later"),
    ("ru", "Исправлю отзыв, спасибо", "revised"),
    ("ru", "уже изменила на 4 звезды", "revised"),
    ("ru", "нет, спасибо, оставлю как есть", "kept"),
    ("ru", "может позже", "later"),
    ("uk", "Змiню вiдгук сьогоднi", "revised"),
    ("uk", "вже змінила, дякую", "revised"),
    ("uk", "ні, дякую, нехай залишиться", "kept"),
    ("uk", "може пізніше", "later"),
    ("sq", "do ta ndryshoj sot", "revised"),
    ("sq", "e ndryshova ne 4 yje", "revised"),
    ("sq", "jo faleminderit", "kept"),
    ("sq", "ndoshta me vone", "later"),
    ("fr", "je vais la modifier ce soir", "revised"),
    ("fr", "non merci, je la laisse comme ca", "kept"),
    ("es", "ya lo hice, 4 estrellas", "revised"),
    ("es", "no, gracias", "kept"),
    ("it", "la cambiero stasera", "revised"),
    ("it", "forse piu tardi", "later"),
    ("cs", "uz jsem to zmenila", "revised"),
    ("cs", "ne, dekuji", "kept"),
    # A maybe is no changed review (the revision rate counted "jag kanske ändrar recensionen" as revised).
    ("en", "might update it at some point, we'll see", "later"),
    ("sv", "kanske ändrar jag betyget, vi får se", "later"),
    ("de", "mal schauen, vielleicht passe ich sie noch an", "later"),
    ("fr", "on verra pour l'avis", "later"),
    ("es", "ya veré, igual la cambio", "later"),
    ("it", "vedremo, forse la modifico", "later"),
]


@pytest.mark.parametrize(("language", "text", "meaning"), ANSWERS)
def test_revision_answers_in_every_language(language: str, text: str, meaning: str) -> None:
    assert revision_answer(text, language) == meaning


@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "How long will the refund take?"), ("pl", "A kiedy przyjdzie kurier?"), ("de", "Wo ist mein Paket?")],
)
def test_a_question_is_not_an_answer(language: str, text: str) -> None:
    assert revision_answer(text, language) is None


@given(st.text(max_size=300), st.sampled_from(["en", "pl", "sv", "de", "ru", "uk", "sq", "fr", "es", "it", "cs", "xx"]))
def test_any_text_gets_an_answer_or_none_and_never_fails(text: str, language: str) -> None:
    assert revision_answer(text, language) in ("revised", "kept", "later", None)


from bot.understanding.answers import asks_if_bot, yes_no  # noqa: E402

ASKS_IF_BOT = [
    ("en", "are you a bot?"),
    ("en", "wait am i talking to a real person or a machine"),
    ("en", "r u a bot lol"),
    ("en", "is this an automated reply?"),
    ("pl", "czy jestes botem?"),
    ("pl", "rozmawiam z człowiekiem czy z automatem?"),
    ("sv", "är du en bot?"),
    ("sv", "pratar jag med en människa"),
    ("de", "Bist du ein Bot oder ein echter Mensch?"),
    ("de", "rede ich hier mit einem Roboter?"),
    ("ru", "ты бот?"),
    ("ru", "я общаюсь с живым человеком?"),
    ("uk", "ви бот чи людина?"),
    ("uk", "я розмовляю з ботом?"),
    ("sq", "a je bot?"),
    ("sq", "po flas me nje robot?"),
    ("fr", "es-tu un robot ?"),
    ("es", "eres un bot?"),
    ("it", "sei un bot?"),
    ("cs", "jsi robot?"),
    # "a bot or a person?" in either order, in the words people use on messaging apps (issue 18 held-out set)
    ("cs", "piseme si s robotem, nebo s clovekem?"),
    ("de", "Schreib ich grad mit ner Maschine oder mit nem echten Menschen?"),
    ("es", "¿eres una persona o un robot?"),
    ("it", "parlo con una persona o con una macchina?"),
    ("fr", "vous êtes un humain ou un robot ?"),
    ("ru", "тут бот отвечает или человек?"),
    ("sv", "är det en människa eller en bot som svarar?"),
    # an adverb between "are you" and "a bot" (issue 18, demo walk-through)
    ("uk", "зачекайте, а ви взагалі бот?"),
    ("ru", "вы вообще живой человек?"),
    ("en", "are you even a real person"),
    ("de", "bist du eigentlich ein Bot?"),
    ("cs", "jste vubec clovek?"),
    # "who am I talking to?", and Russian and Ukrainian typed in Latin letters (held-out personas, round 4)
    ("en", "who am I talking to right now?"),
    ("pl", "a z kim ja w ogole pisze?"),
    ("cs", "s kym ted mluvim?"),
    ("ru", "с кем я сейчас переписываюсь?"),
    ("uk", "z kym ya zaraz rozmovliaiu?"),
    ("sq", "me ke po bisedoj tani?"),
    ("sq", "po shkruaj me nje program?"),
    ("uk", "sorry, a vy bot chy ni?"),
    ("ru", "ty voobshche robot?"),
    # "automated" or "automatic" as the machine's side of the "or", and "an actual person" (held-out round 4: "is
    # this an actual person or an automated thing?" was read as a request for a person and handed to staff)
    ("en", "hold on, is this a real person typing?"),
    ("en", "human or automatic replies here?"),
    ("de", "schreibt hier ein Mensch oder ist das automatisch?"),
    ("fr", "c'est automatique ou une vraie personne ?"),
    ("es", "esto es automatico o hay una persona?"),
    ("it", "risponde una persona o e tutto automatico?"),
    ("sv", "är det automatiskt eller en person som svarar?"),
    # whether a person is answering now, asked in the present tense (held-out round 5: "is a human writing?" was
    # handed to staff as a request for one)
    ("pl", "hej, a czy tu odpisuje prawdziwy czlowiek?"),
    ("pl", "czy to jest automatyczna wiadomość?"),
    ("cs", "pise mi ted opravdu zivy clovek?"),
    ("cs", "je to automaticka odpoved, nebo ne?"),
    ("ru", "а мне тут живой человек отвечает?"),
    ("ru", "eto avtomaticheskii otvet?"),
    ("uk", "мені відповідає жива людина?"),
    ("uk", "це автоматичне повідомлення?"),
    ("sq", "a me pergjigjet nje njeri apo jo?"),
    ("en", "wait, is a real person replying to me?"),
    ("en", "is this an automatic message?"),
    ("de", "antwortet mir hier ein echter Mensch?"),
    # held-out round 6 (written apart from it): the person before the verb, a word between, "a program"
    ("ru", "мне интересно, с человеком общаюсь или с какой-то программой?"),
    ("ru", "s robotom perepisyvayus, da?"),
    ("uk", "з людиною листуюся чи з програмою?"),
    ("pl", "hej, ja tu rozmawiam z jakims programem?"),
    ("cs", "pisu si ted s nejakym automatem?"),
]


@pytest.mark.parametrize(("language", "text"), ASKS_IF_BOT)
def test_asking_whether_the_bot_is_a_machine(language: str, text: str) -> None:
    assert asks_if_bot(text, language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "The lamp arrived broken, the robot vacuum too"),
        ("en", "I want to talk to a human"),
        ("pl", "Lampa przyszła rozbita"),
        ("de", "Die Pfanne ist zerkratzt"),
        ("ru", "Палатка порвана"),
        ("en", "I want a person or a refund"),
        ("de", "Ich will einen Menschen oder mein Geld zurück"),
        ("cs", "ten kuchynsky robot"),
        ("ru", "вы прислали робот-пылесос без щетки"),
        ("it", "e anche un robot da cucina"),
        # whom to talk to is not whom one is talking to
        ("pl", "z kim mam rozmawiać w sprawie zwrotu?"),
        ("ru", "с кем можно поговорить о возврате?"),
        ("sq", "me ke duhet te flas per rimbursimin?"),
        ("ru", "vy prislali robot-pylesos bez shchetki"),
        # asking for a person to answer is a request, not the question who answers (handled as ask_human)
        ("pl", "niech mi odpisze czlowiek, prosze"),
        ("cs", "at mi odpovi clovek"),
        ("ru", "пусть мне ответит живой человек"),
        ("uk", "хай мені відповість людина"),
        ("en", "I want a real person answering from now on"),
    ],
)
def test_other_messages_do_not_ask_it(language: str, text: str) -> None:
    assert not asks_if_bot(text, language)


from bot.understanding.answers import wishes_in  # noqa: E402

WISHES = [
    # Learner and colloquial German word order asks for the right item (round 12).
    ("de", "kann ich dann bekommen die weisse?", ["replacement"], False),
    ("de", "krieg ich den in blau?", ["replacement"], False),
    ("de", "kann ich das Geld haben?", [], False),
    ("en", "ok but I'd rather have my money back", ["refund"], False),
    # A percentage is money off, in any language: a haggle, never a yes to another offer (issue 18).
    ("en", "fine, how about 25% and I keep them", ["discount"], False),
    ("cs", "a co takhle 15 procent?", ["discount"], False),
    ("ru", "может, 10 процентов вернёте?", ["discount"], False),
    ("en", "replacement is fine, could you also add a voucher?", ["replacement", "discount"], True),
    ("pl", "wolałabym jednak zwrot pieniędzy", ["refund"], False),
    ("pl", "wymiana ok, a do tego jakiś rabat?", ["replacement", "discount"], True),
    ("sv", "jag vill hellre ha pengarna tillbaka", ["refund"], False),
    ("de", "Lieber das Geld zurück bitte", ["refund"], False),
    ("de", "Ersatz ist gut, gibt es dazu noch einen Gutschein?", ["replacement", "discount"], True),
    ("ru", "лучше верните деньги", ["refund"], False),
    ("uk", "краще поверніть гроші", ["refund"], False),
    ("sq", "me ktheni parate ju lutem", ["refund"], False),
    ("fr", "je prefere un remboursement", ["refund"], False),
    ("es", "prefiero un reembolso", ["refund"], False),
    ("it", "preferisco il rimborso", ["refund"], False),
    ("cs", "radeji vraceni penez", ["refund"], False),
    # "only the part" / "just one part" / "I'd like the part" (held-out personas round 4: "мне бы одну крышку" was
    # offered a whole new kettle first)
    ("ru", "мне бы только новую ручку, а сковородку оставлю", ["part"], False),
    ("ru", "mne by odnu kryshku", ["part"], False),
    ("uk", "мені б тільки кришку", ["part"], False),
    ("pl", "prosze tylko o nowa pokrywke", ["part"], False),
    ("cs", "poslete jen nove viko", ["part"], False),
    ("sq", "me dergoni vetem kapakun", ["part"], False),
    # held-out round 4: the shipping money and "give me back" in Italian and Spanish, and a part named by any noun
    # after "send me just the ..." (the parts list cannot name every bracket and hook)
    ("it", "rivorrei indietro i soldi della consegna", ["shipping"], False),
    ("es", "con que me devolváis algo me conformo", ["refund"], False),
    ("es", "vengan y que lo recojan, no lo quiero", ["return"], False),
    ("en", "send me only the bracket", ["part"], False),
    ("de", "schicken Sie mir bitte nur den Adapter nach", ["part"], False),
    ("it", "inviatemi solo la staffa", ["part"], False),
    ("es", "mandadme solo los tacos", ["part"], False),
    ("fr", "envoyez-moi seulement les crochets", ["part"], False),
    ("sv", "skicka bara kroken", ["part"], False),
    ("en", "just send the money back please", ["refund"], False),
    # A shipping-cost refund in the buyer's words (bench/buyers.py: read as no wish, or as a reship), and since
    # issue 19.2 as the shipping cost alone, never a full refund.
    ("fr", "au minimum qu'on me rembourse les frais de port", ["shipping"], False),
    ("es", "lo justo seria devolverme lo del envio", ["shipping"], False),
    ("es", "quiero que me devuelvan el dinero", ["refund"], False),
    ("it", "almeno le spese di spedizione, quelle sì", ["shipping"], False),
    ("cs", "vratte aspon postovne", ["shipping"], False),
    ("en", "could I at least get the postage refunded?", ["shipping"], False),
    ("en", "pay me back the delivery charge, that's all I ask", ["shipping"], False),
    ("en", "I paid 7 euros shipping for nothing, I want that money back", ["refund"], False),
    ("pl", "oddajcie chociaż koszty przesyłki", ["shipping"], False),
    ("pl", "należy mi się zwrot za dostawę", ["shipping"], False),
    ("sv", "kan ni åtminstone stå för frakten?", ["shipping"], False),
    ("de", "Die Versandgebühr hätte ich gern wieder", ["shipping"], False),
    ("de", "wenigstens das Porto zurück, bitte", ["shipping"], False),
    ("ru", "компенсируйте хотя бы доставку", ["shipping"], False),
    ("ru", "верните мне плату за пересылку", ["shipping"], False),
    ("uk", "відшкодуйте хоча б доставку", ["shipping"], False),
    ("sq", "te pakten me rimbursoni transportin", ["shipping"], False),
    ("fr", "remboursez-moi au moins la livraison", ["shipping"], False),
    ("es", "que me reembolsen el envío por lo menos", ["shipping"], False),
    ("it", "ridatemi almeno i costi della spedizione", ["shipping"], False),
    ("cs", "chci aspoň vrátit za dopravu", ["shipping"], False),
    # A wish named where the buyer turns it down is not wanted (issue 19.3: "rather than a voucher").
    ("en", "a replacement would be better than a voucher, not a voucher please", ["replacement"], False),
    ("en", "refund the postage instead of giving me a code", ["shipping"], False),
    ("es", "lo quiero devolver", ["return"], False),  # returning the goods is not a refund wish
    # Issue 19.5: only the part, not a whole new item ("send a new lid" is the narrower wish, not a replacement)
    ("en", "no need for a whole new kettle, could you just send a new lid", ["part"], False),
    ("en", "send me a new one please", ["replacement"], False),
    ("de", "Bitte nur den fehlenden Deckel schicken, der Rest ist ok", ["part"], False),
    ("pl", "wystarczy sama pokrywka, nie cały czajnik", ["part"], False),
    ("ru", "пришлите только крышку, чайник целый", ["part"], False),
    ("uk", "надішліть лише кришку, будь ласка", ["part"], False),
    ("cs", "stačí poslat jen ten chybějící díl", ["part"], False),
    ("sv", "det räcker om ni skickar bara locket", ["part"], False),
    ("fr", "envoyez-moi juste le couvercle svp", ["part"], False),
    ("es", "con que me manden solo la tapa me vale", ["part"], False),
    ("it", "mi basta solo il coperchio", ["part"], False),
    # Any part of parts.yml, a few words after "only"/"just send" (held-out personas round 3: "stačí ta
    # poklice" and a frame bracket were read as a whole new item or a refund).
    ("cs", "nechci novou konvici, stačí mi nová rukojeť", ["part"], False),
    ("cs", "doposlete prosím ten držák na zeď", ["part"], False),
    ("pl", "wyślijcie mi tylko nowy filtr", ["part"], False),
    ("ru", "достаточно прислать новый шланг", ["part"], False),
    ("uk", "вишліть мені тільки нове кріплення", ["part"], False),
    ("sq", "me dergoni vetem kabllin e ri", ["part"], False),
    # The difference back (charged more than the checkout total) is a refund of part of the price.
    ("sq", "ju lutem me ktheni diferencen", ["refund"], False),
    ("cs", "vraťte mi rozdíl na kartu", ["refund"], False),
    ("ru", "верните разницу, пожалуйста", ["refund"], False),
    ("en", "just refund me the difference", ["refund"], False),
    # Issue 18: a spare part named as the wish, a compound or "is enough", is the part, in every language.
    ("de", "ein Ersatzdeckel reicht völlig", ["part"], False),
    ("de", "ein neuer Deckel genügt", ["part"], False),
    ("cs", "náhradní víčko stačí", ["part"], False),
    ("ru", "запасная крышка, больше ничего", ["part"], False),
    ("uk", "нова кришка, і все", ["part"], False),
    ("pl", "nowa pokrywka wystarczy", ["part"], False),
    ("en", "just send a new lid", ["part"], False),
    ("en", "the charger would be enough", ["part"], False),
    ("sv", "ett nytt lock räcker", ["part"], False),
    ("fr", "un nouveau couvercle suffit", ["part"], False),
    ("es", "me basta con una tapa nueva", ["part"], False),
    ("it", "basta un coperchio nuovo", ["part"], False),
    ("sq", "kapaku mjafton", ["part"], False),
    ("en", "the lid is broken, I want a replacement", ["replacement"], False),  # a part named, a whole item wanted
    # Issue 18: money off is a discount (a partial refund or a coupon), never the whole price back.
    ("en", "can you do money off instead?", ["discount"], False),
    ("en", "could you knock a few euros off?", ["discount"], False),
    ("de", "ein Preisnachlass wäre fair", ["discount"], False),
    ("pl", "może jakiś upust?", ["discount"], False),
    ("ru", "может, сделаете скидку?", ["discount"], False),
    ("uk", "зробіть знижку, будь ласка", ["discount"], False),
    ("sv", "ett prisavdrag vore rimligt", ["discount"], False),
    ("fr", "un rabais peut-être ?", ["discount"], False),
    ("es", "¿me hacen una rebaja?", ["discount"], False),
    ("it", "mi fate una riduzione di prezzo?", ["discount"], False),
    ("cs", "co takhle snížení ceny?", ["discount"], False),
    ("sq", "nje ulje e cmimit do ishte mire", ["discount"], False),
    # Issue 18: Russian and Ukrainian typed in Latin letters name the same wishes as in Cyrillic.
    ("ru", "hochu novuyu", ["replacement"], False),
    ("ru", "verni dengi", ["refund"], False),
    ("ru", "верни деньги", ["refund"], False),
    ("ru", "mozhet skidku sdelaete?", ["discount"], False),
    ("ru", "prishlite tolko kryshku", ["part"], False),
    ("uk", "povernit groshi", ["refund"], False),
    ("uk", "khochu povernennya koshtiv", ["refund"], False),
    ("uk", "poverni meni groshi", ["refund"], False),
    ("uk", "khochu zaminu", ["replacement"], False),
]

from bot.understanding.answers import part_named  # noqa: E402

PARTS = [
    ("en", "the charger is missing from the box", "charger"),
    ("en", "the Pot Support never came", "Pot Support"),
    ("de", "Der Deckel hat einen Sprung", "Deckel"),
    ("pl", "brakuje ładowarki w zestawie", "ładowarki"),
    ("ru", "Крышка треснула при доставке", "Крышка"),
    ("cs", "víčko je prasklé", "víčko"),
    ("cs", "chybí držák na stěnu", "držák"),
    ("uk", "у коробці бракувало кріплення", "кріплення"),
    ("sq", "mungon mbajtesja e murit", "mbajtesja"),
    ("de", "ein Ersatzdeckel reicht völlig", "Ersatzdeckel"),
    ("en", "it arrived broken, in any case I want it fixed", None),
    # a part the list does not know, named where the buyer asks for it alone (held-out round 4)
    ("de", "schicken Sie mir bitte nur den Adapterring nach", "Adapterring"),
    ("it", "inviatemi solo la staffa, grazie", "staffa"),
    ("en", "could you send me just the bracket?", "bracket"),
    ("sv", "skicka bara fästet", "fästet"),
    # Issue 19: the common parts in every language, and a part said to be absent ("нет колышков") is the part.
    ("en", "the bag of tent pegs was not in the box", "tent pegs"),
    ("de", "der Beutel mit den Erdnägeln fehlte", "Erdnägeln"),
    ("de", "keine Heringe dabei", "Heringe"),
    ("fr", "il manquait les sardines", "sardines"),
    ("es", "el paquete vino sin las piquetas", "piquetas"),
    ("it", "nella scatola non c'erano i picchetti", "picchetti"),
    ("pl", "w worku zabrakło śledzi", "śledzi"),
    ("sv", "tältpinnarna saknades", "tältpinnarna"),
    ("cs", "v balení chyběly kolíky", "kolíky"),
    ("ru", "в сумке нет колышков", "колышков"),
    ("uk", "у чохлі не було кілочків", "кілочків"),
    ("sq", "mungonin kunjat", "kunjat"),
    ("en", "the rubber seal of the lid is torn", "rubber seal"),
    ("es", "falta la junta de la cafetera", "junta"),
    ("it", "la guarnizione è rotta", "guarnizione"),
    ("en", "no, not the handle, the lid", "lid"),
    # a shelf of a rack or cabinet, a clamp: parts, not the whole item (held-out round 5: "one new shelf is enough"
    # was offered a whole new rack, then a full refund)
    ("pl", "dolna półka ma rysę na całej długości", "półka"),
    ("cs", "polička ve skříňce je zlomená", "polička"),
    ("ru", "одна полка треснула", "полка"),
    ("uk", "нижня полиця тріснула", "полиця"),
    ("en", "the middle shelf snapped", "shelf"),
    ("it", "il ripiano centrale è rotto", "ripiano"),
    ("cs", "chybi objimka na riditka", "objimka"),
]


@pytest.mark.parametrize(("language", "text", "part"), PARTS)
def test_the_part_a_buyer_names_is_read_in_their_own_words(language: str, text: str, part: str | None) -> None:
    assert part_named(text, language) == part


@pytest.mark.parametrize(("language", "text", "wishes", "adds"), WISHES)
def test_wishes_named_anywhere_in_a_message(language: str, text: str, wishes: list[str], adds: bool) -> None:
    assert wishes_in(text, language) == (wishes, adds)


# (language, a counter-wish after an offer, the wish it turns down): hand-written, one per language.
DECLINED = [
    ("en", "honestly I'd take the postage back rather than a coupon", "discount"),
    ("pl", "zamiast rabatu wolę zwrot kosztów wysyłki", "discount"),
    ("sv", "hellre frakten tillbaka än en kupong", "discount"),
    ("de", "statt einem Gutschein lieber die Versandkosten", "discount"),
    ("ru", "вместо скидки лучше компенсируйте доставку", "discount"),
    ("uk", "замість знижки краще поверніть за доставку", "discount"),
    ("sq", "ne vend te kuponit me ktheni koston e transportit", "discount"),
    ("fr", "plutôt qu'une réduction, remboursez la livraison", "discount"),
    ("es", "en vez de un descuento, los gastos de envío", "discount"),
    ("it", "invece di uno sconto, le spese di spedizione", "discount"),
    ("cs", "místo slevy radši poštovné", "discount"),
    ("en", "I'd rather have a new one than a refund", "refund"),
    # "I don't want X, I want Y" turns X down as "rather than" does.
    ("cs", "nechci slevu, vraťte mi peníze", "discount"),
    ("sq", "nuk dua zbritje, me ktheni parate", "discount"),
]


@pytest.mark.parametrize(("language", "text", "declined"), DECLINED)
def test_a_wish_turned_down_is_not_wanted(language: str, text: str, declined: str) -> None:
    wanted, _adds = wishes_in(text, language)
    assert declined not in wanted and wanted  # the other wish is still read
    assert declined_wishes(text, language) == [declined]


@pytest.mark.parametrize(
    ("language", "text", "meaning"),
    [
        ("ru", "da, davajte tak", "yes"),
        ("uk", "ni, ne treba", "no"),
        ("ru", "net, ne hochu", "no"),
        ("uk", "dobre", "yes"),
    ],
)
def test_a_yes_or_no_typed_in_latin_letters(language: str, text: str, meaning: str) -> None:
    # The Cyrillic patterns of data/answers/yes_no.yml read the same words typed without a Cyrillic keyboard.
    assert yes_no(text, language) == meaning


def test_a_review_answer_typed_in_latin_letters() -> None:
    assert revision_answer("ok, otzyv potom izmenyu", "ru") == "later"
    assert revision_answer("vidhuk zaraz zminiu", "uk") == "revised"


from bot.understanding.answers import asks_for_information  # noqa: E402


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "how long is the voucher good for?", True),
        ("de", "wann wäre das Geld wieder auf dem Konto?", True),
        ("es", "¿cuánto tarda en llegar?", True),
        ("it", "quanto tempo ci vuole?", True),
        ("fr", "ça prend combien de temps ?", True),
        ("sv", "när kommer den?", True),
        ("pl", "ile to potrwa?", True),
        ("en", "what about 20% then?", False),  # bargains, not asks
        ("fr", "et pourquoi pas 20 % ?", False),
        ("de", "warum nicht einfach 15 Prozent?", False),
        ("en", "how long it took was ridiculous", False),  # no question mark
        ("es", "un cupón?", False),
    ],
)
def test_a_request_for_information_is_told_from_other_questions(language: str, text: str, expected: bool) -> None:
    assert asks_for_information(text, language) is expected


from bot.understanding.answers import mentions_video  # noqa: E402


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "I've got a short video of it", True),
        ("fr", "j'ai filmé le déballage", True),
        ("pl", "mam nagranie z rozpakowania", True),
        ("ru", "я снял видео, когда открыл коробку", True),
        ("cs", "mam video z rozbalovani", True),
        # Cyrillic typed in Latin letters, read as every other answers list reads it (issue 18): the word lists
        # once had a compiler of their own that skipped the transliteration.
        ("ru", "ya zapisal rolik, kak otkryval korobku", True),
        ("uk", "ya znyav, yak vidkryvav", True),
        ("en", "I took pictures when I opened it", False),
        ("de", "Ich habe Fotos auf dem Handy", False),
    ],
)
def test_a_video_as_evidence_is_recognised(language: str, text: str, expected: bool) -> None:
    assert mentions_video(text, language) is expected


from bot.understanding.answers import mentions_photo  # noqa: E402


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("uk", "fotka ye, mozhu skynuty", True),
        ("uk", "є знімок з пошти", True),
        ("ru", "есть пара снимков", True),
        ("pl", "mam fotke na telefonie", True),
        ("de", "hab ein paar Bilder gemacht", True),
        ("es", "tengo fotos del paquete", True),
        ("sv", "jag har en bild på skadan", True),
        ("en", "got a couple of pics", True),
        ("en", "the glass is cracked right across", False),
        ("de", "der Deckel ist gesprungen", False),
        ("uk", "кришка тріснула", False),
    ],
)
def test_a_photo_the_buyer_speaks_of_is_recognised(language: str, text: str, expected: bool) -> None:
    assert mentions_photo(text, language) is expected


from bot.understanding.answers import asks_for_person  # noqa: E402

# A request for a person, said in so many words, in a long message or beside "are you a bot?" (held-out personas,
# round 5: such requests were answered as the question only, and the buyer kept in the chat).
ASKS_FOR_PERSON = [
    ("en", "The kettle leaks from the base and I've had enough. Can I talk to a real human please"),
    ("en", "r u a bot? if so connect me to an agent"),
    ("en", "just get me a manager"),
    ("de", "Ich würde gerne mit einer echten Person sprechen, nicht mit einem Programm."),
    ("de", "Verbinden Sie mich bitte mit Ihrem Kollegen aus der Reklamation"),
    ("fr", "Le colis est bloqué depuis une semaine. Je voudrais parler à un conseiller."),
    ("fr", "passez-moi quelqu'un du service client svp"),
    ("es", "quisiera hablar con un encargado, esto ya es demasiado"),
    ("es", "ponme con una persona de verdad por favor"),
    ("it", "preferirei parlare con un operatore, grazie"),
    ("it", "mi passi un collega per favore"),
    ("sv", "kan jag få prata med en riktig människa istället?"),
    ("sv", "koppla mig till en handläggare"),
    ("pl", "chciałbym porozmawiać z konsultantem"),
    ("cs", "chtěl bych mluvit s operátorem"),
    ("ru", "соедините меня с оператором"),
    ("uk", "хочу поговорити з живою людиною"),
    ("ru", "hochu pogovorit s operatorom"),
    ("sq", "dua te flas me nje operator"),
]


@pytest.mark.parametrize(("language", "text"), ASKS_FOR_PERSON)
def test_a_request_for_a_person_is_read_in_any_message(language: str, text: str) -> None:
    assert asks_for_person(text, language)


from bot.understanding.answers import photo_said  # noqa: E402


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        # A photo word with no negation near it: the buyer has one, whatever else the sentence asks.
        ("sv", "jag tog bilder när jag öppnade paketet, vill du ha dom?", "has"),
        ("sv", "jo, jag har bilder", "has"),  # "jo" is Swedish for yes, Albanian for no
        ("de", "ich habe Fotos gemacht, wollen Sie die?", "has"),
        ("fr", "j'ai pris des photos, je vous les envoie ?", "has"),
        ("it", "ho fatto delle foto, le vuole?", "has"),
        ("es", "tengo fotos pero no se como mandarlas", "has"),  # the "no" is past the "pero"
        ("ru", "есть фото, прислать?", "has"),
        ("cs", "fotky mam, muzu poslat", "has"),
        # Negated within three words before, or after it in the same clause: no photo.
        ("en", "I don't have any photos", "none"),
        ("en", "I did not take any pictures, sorry", "none"),
        ("cs", "nemám fotky", "none"),
        ("cs", "fotky nemám, krabici jsem vyhodila", "none"),
        ("sv", "har inga bilder tyvärr", "none"),
        ("de", "keine Fotos, sorry", "none"),
        ("de", "Bilder hab ich keine", "none"),
        ("pl", "nie mam żadnych zdjęć", "none"),
        ("ru", "foto net", "none"),
        ("uk", "немає фото", "none"),
        ("fr", "je n'ai pas de photos", "none"),
        ("es", "no tengo fotos", "none"),
        ("it", "non ho foto", "none"),
        ("sq", "nuk kam foto", "none"),
        ("en", "the glass is cracked", None),
    ],
)
def test_a_photo_is_read_as_had_or_not_had(language: str, text: str, expected: str | None) -> None:
    assert photo_said(text, language) == expected


def test_item_negation_is_not_widened_by_the_photo_negations() -> None:
    """The photo negations are a list of their own: "didn't" before an item must not make it the item not meant."""
    from bot.understanding.answers import negated

    text = "I didn't get the lamp"
    assert not negated(text, text.index("lamp"))


from bot.understanding.answers import asks_what_next, only_understood  # noqa: E402


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("cs", "aha, dobře. a co dál?", True),
        ("pl", "i co dalej?", True),
        ("sv", "och nu då?", True),
        ("de", "wie geht es jetzt weiter?", True),
        ("uk", "і що далі?", True),
        ("sq", "e tani?", True),
        ("fr", "et maintenant ?", True),
        ("it", "e adesso?", True),
        ("en", "what happens now?", True),
        ("cs", "a ted mi poslete novou", False),  # "and now send me a new one" asks for something
        ("en", "I want it now", False),
    ],
)
def test_what_next_is_recognised(language: str, text: str, expected: bool) -> None:
    assert asks_what_next(text, language) is expected


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("cs", "jasně, rozumím", True),
        ("en", "ok I see, thanks", True),
        ("de", "ok, verstehe", True),
        ("ru", "ponyatno, spasibo", True),  # Latin letters
        ("uk", "зрозуміло, дякую", True),
        ("sv", "okej, jag förstår", True),
        ("es", "vale, entiendo", True),
        ("sq", "ok, e kuptoj", True),
        # round 7: "good to know" acknowledges an answer as "I see" does
        ("cs", "aha, dobré vědět", True),
        ("pl", "ok, dobrze wiedzieć, dzięki", True),
        ("uk", "ага, буду знати", True),
        ("de", "ach so, gut zu wissen", True),
        # ... and so does "thanks for the explanation / the info"; with a yes beside it, it is a yes
        ("pl", "aha, dziękuję za informację", True),
        ("ru", "ок, спасибо за объяснение", True),
        ("en", "ok, thanks for the info, yes please go ahead", False),
        ("cs", "jasně", False),  # a yes, read by yes_no
        ("en", "yes, I understand", False),  # the yes is said
        ("en", "I understand but I want a refund", False),
    ],
)
def test_i_understand_alone_is_recognised(language: str, text: str, expected: bool) -> None:
    assert only_understood(text, language) is expected


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # a person named, but nobody asked for
        ("en", "the person on the phone was really rude to me"),
        ("en", "are you a bot or a real person?"),
        ("en", "I don't want to talk to a person, just fix it"),
        ("de", "Ihr Mitarbeiter am Telefon hat einfach aufgelegt"),
        ("de", "Bist du ein Mensch?"),
        ("fr", "le conseiller au téléphone ne savait rien"),
        ("es", "la persona que me atendió fue muy borde"),
        ("it", "l'operatore è stato gentile ma non ha risolto niente"),
        ("sv", "personen i kundtjänst var otrevlig"),
        ("ru", "с кем можно поговорить о возврате?"),
        ("pl", "z kim mam rozmawiać w sprawie zwrotu?"),
    ],
)
def test_a_person_named_without_a_request_is_not_one(language: str, text: str) -> None:
    assert not asks_for_person(text, language)


# "Am I (here) with a bot?" and "it's a bot?" (held-out personas, round 5: the German one was handed to staff as a
# request for a person), and what only looks like it.
@pytest.mark.parametrize(
    ("language", "text", "asks"),
    [
        ("de", "schreib ich hier grad mit nem Roboter?", True),
        ("de", "bin ich da gerade bei einem Computer gelandet?", True),
        ("de", "ist das hier eigentlich ein Chatbot?", True),
        ("en", "wait am I texting a machine right now", True),
        ("it", "ma sto chattando con un robot?", True),
        ("sv", "är det en robot som skriver till mig?", True),
        ("fr", "attendez, c'est une machine qui me répond là ?", True),
        ("de", "Sie schicken mir jetzt also einen Chatbot, toll", False),
        ("fr", "c'est un robot pâtissier que j'ai commandé, pas un mixeur", False),
        ("sv", "är det en robotdammsugare ni skickade?", False),
    ],
)
def test_asking_with_whom_one_is_writing(language: str, text: str, asks: bool) -> None:
    assert asks_if_bot(text, language) is asks


# The small fixings of flat-packed goods are parts, and "just send the <fixings>" asks for them alone (held-out
# personas, round 5: a buyer who wanted the missing fixings was offered a whole new item).
@pytest.mark.parametrize(
    ("language", "text", "part"),
    [
        ("en", "two of the hooks were not in the bag", "two of the hooks"),
        ("de", "die Klammern für die Beine fehlen", "Klammern"),
        ("fr", "il manque les crochets pour l'accrocher", "crochets"),
        ("es", "faltan los ganchos de la pared", "ganchos"),
        ("it", "mancano le mollette del supporto", "mollette"),
        ("sv", "krokarna saknades i påsen", "krokarna"),
    ],
)
def test_the_fixings_of_an_item_are_parts(language: str, text: str, part: str) -> None:
    assert part_named(text, language) == part


@pytest.mark.parametrize(
    ("text", "wishes"),
    [
        ("only send me the three missing bolts, the frame is fine", ["part"]),
        ("just send the springs, no need for another bed", ["part"]),
        ("just send the replacements please", []),
        ("just send the money back", ["refund"]),
    ],
)
def test_just_send_the_fixings_asks_for_a_part(text: str, wishes: list[str]) -> None:
    assert wishes_in(text, "en")[0] == wishes


# A wish its own clause turns down after naming it, the negation last (held-out personas, round 5: the German buyer
# who would not send the heavy pot back was offered the whole price back first), and the same words wanted.
@pytest.mark.parametrize(
    ("language", "text", "wishes", "declined"),
    [
        ("de", "Etwas Rabatt wäre gut, zurückschicken möchte ich die Pfanne auf keinen Fall", ["discount"], ["return"]),
        ("de", "Umtausch kommt für mich nicht in Frage, lieber Geld zurück", ["refund"], ["replacement"]),
        ("sv", "skicka tillbaka orkar jag inte, hellre en rabatt", ["discount"], ["return"]),
        ("de", "zurückschicken will ich ihn, holen Sie ihn bitte ab", ["return"], []),
    ],
)
def test_a_wish_refused_after_it_is_named(language: str, text: str, wishes: list[str], declined: list[str]) -> None:
    assert wishes_in(text, language)[0] == wishes
    assert declined_wishes(text, language) == declined


from bot.understanding.answers import lets_go_on  # noqa: E402


@pytest.mark.parametrize(
    ("language", "text", "goes_on"),
    [
        ("en", "ok, I know it's not your fault", True),
        ("en", "right, so what happens now?", True),
        ("de", "schon gut, ist ja nicht Ihre Schuld", True),
        ("de", "ok. und wie geht's jetzt weiter?", True),
        ("fr", "je sais, vous n'y êtes pour rien", True),
        ("es", "ya, no es culpa tuya", True),
        ("it", "va bene, e adesso come procediamo?", True),
        ("sv", "jag vet att det inte är ditt fel", True),
        ("pl", "wiem, to nie pani wina", True),
        ("ru", "ладно, и что теперь?", True),
        ("en", "this is entirely your fault", False),
        ("de", "das ist Ihre Schuld, nicht meine", False),
        ("fr", "la lampe est arrivée cassée", False),
    ],
)
def test_a_reply_that_lets_the_bot_go_on(language: str, text: str, goes_on: bool) -> None:
    assert lets_go_on(text, language) is goes_on


from bot.understanding.answers import announces_question  # noqa: E402


@pytest.mark.parametrize(
    ("language", "text", "announced"),
    [
        ("en", "quick question, is the coupon valid in the outlet too?", True),
        ("de", "noch eine Frage: gilt das auch für Sonderangebote?", True),
        ("fr", "petite question, c'est lavable en machine ?", True),
        ("es", "una pregunta rápida, ¿hacéis envíos a Canarias?", True),
        ("it", "una domanda, vale anche per i saldi?", True),
        ("sv", "snabb fråga, gäller det även reavaror?", True),
        ("en", "quick question for you later", False),  # no question mark: no question yet
        ("en", "I have no questions, just fix it?", False),
    ],
)
def test_a_question_announced_as_one(language: str, text: str, announced: bool) -> None:
    assert announces_question(text, language) is announced


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("pl", "prosze tylko o jedna nowa polke, reszta stoi"),
        ("cs", "stacila by mi nova policka, nic vic"),
        ("ru", "пришлите только одну полку, остальное целое"),
        ("uk", "вистачить однієї нової полиці"),
        ("en", "just send the shelf, please"),
        ("de", "nur den Fachboden bitte, der Rest ist heil"),
    ],
)
def test_a_shelf_alone_is_the_part_wish(language: str, text: str) -> None:
    assert wishes_in(text, language)[0] == ["part"]


@pytest.mark.parametrize(
    ("language", "text", "wanted", "declined"),
    [
        # a wish turned down after it is named, as Slavic and Albanian word order has it (held-out round 5)
        ("uk", "Купонів не треба. Достатньо вибачення.", ["apology"], ["discount"]),
        ("ru", "замену не хочу, верните деньги", ["refund"], ["replacement"]),
        ("ru", "zamenu ne hochu, vernite dengi", ["refund"], ["replacement"]),
        ("pl", "wymiany nie chce, wolę zwrot pieniędzy", ["refund"], ["replacement"]),
        ("cs", "vymenu nechci, jen vraceni penez", ["refund"], ["replacement"]),
        ("sq", "zevendesim nuk dua, dua rimbursim", ["refund"], ["replacement"]),
        # the marker governs a wish named after it, and nothing before it ("I want a refund, I don't want a coupon")
        ("pl", "chce zwrot pieniedzy nie chce kuponu", ["refund"], ["discount"]),
        ("ru", "верните деньги, купон не нужен", ["refund"], ["discount"]),
        # Italian "X rather than the Y" with the article joined to "a": "ai soldi", "al rimborso" (the retrained
        # classifier read the money in "preferisco una nuova ai soldi" as the wish, and a refund was offered)
        ("it", "preferisco una lampada nuova ai soldi", ["replacement"], ["refund"]),
        ("it", "preferirei la sostituzione al rimborso", ["replacement"], ["refund"]),
        ("it", "rinuncio ai soldi, basta la sostituzione", ["replacement"], ["refund"]),
        # round 7: "... does not interest me / is no use to me" after the wish turns it down
        ("pl", "kupon mnie nie interesuje, wolę zwrot pieniędzy", ["refund"], ["discount"]),
        ("cs", "sleva me nezajima, vratte penize", ["refund"], ["discount"]),
        ("ru", "kupon mne ni k chemu, vernite dengi", ["refund"], ["discount"]),
        ("uk", "повернення грошей мене не цікавить, надішліть новий", ["replacement"], ["refund"]),
        ("en", "a voucher is no use to me, I want my money back", ["refund"], ["discount"]),
        # "I thought at first ..." with the verb first, in Albanian as in the other order
        (
            "sq",
            "mendova ne fillim per nje kthim te parave, por me mire ma dergoni perseri",
            ["replacement"],
            ["refund"],
        ),
    ],
)
def test_a_wish_turned_down_after_it_is_named(language: str, text: str, wanted: list[str], declined: list[str]) -> None:
    assert wishes_in(text, language)[0] == wanted
    assert declined_wishes(text, language) == declined


@pytest.mark.parametrize(
    ("language", "text", "wish"),
    [
        # "send it again" asks for the order shipped anew (held-out round 5: read as nothing, asked twice more)
        ("ru", "prosto vyshlite zakaz eshe raz", "replacement"),
        ("ru", "отправьте посылку заново, пожалуйста", "replacement"),
        ("uk", "надішліть замовлення ще раз", "replacement"),
        ("pl", "wyslijcie paczke jeszcze raz", "replacement"),
        ("cs", "poslete to prosim znovu", "replacement"),
        ("sq", "dergojeni porosine perseri", "replacement"),
        ("en", "just ship it again please", "replacement"),
        # round 7: "let them send it again", the verb's third person plural
        ("pl", "niech wyślą zamówienie ponownie", "replacement"),
        ("ru", "пусть отправят заказ заново", "replacement"),
        ("uk", "nekhai nadishlyut zamovlennya znovu", "replacement"),
        ("cs", "at to poslou jeste jednou", "replacement"),
        # round 7: Albanian "the money of the shipping" is the shipping cost
        ("sq", "kthejeni vetem paraten e postes", "shipping"),
        # money back with the imperfective verb or the money first, and "take it away"
        ("uk", "povertaite meni groshi", "refund"),
        ("ru", "деньги верните и всё", "refund"),
        ("uk", "забирайте його, мені він не потрібен", "return"),
    ],
)
def test_more_ways_to_name_a_wish(language: str, text: str, wish: str) -> None:
    assert wish in wishes_in(text, language)[0]


def test_the_wish_list_is_read_from_disk_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """data/answers/wishes.yml feeds both the wishes and the 'a part the list does not know' reading: one read."""
    import pathlib

    from bot.understanding import answers

    for cached in (answers.answers_file, answers.wish_patterns, answers._any_part, answers.word_patterns):
        cached.cache_clear()
    reads: list[str] = []
    read_text = pathlib.Path.read_text

    def counting(self: pathlib.Path, *args: object, **kwargs: object) -> str:
        reads.append(self.name)
        return read_text(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pathlib.Path, "read_text", counting)
    for _ in range(3):
        assert part_named("schickt mir die Halterung nach", "de") == "Halterung"
        answers.wishes_in("I want a refund", "en")
    assert reads.count("wishes.yml") == 1, reads


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("es", "quiero recuperar mi dinero"),
        ("es", "que me devuelvan la plata y ya"),
        ("it", "mi basta riavere i soldi"),
        ("it", "voglio che mi restituiate il denaro"),
        ("fr", "je veux juste qu'on me rende mon argent"),
        ("cs", "chci jenom svoje peníze zpátky"),
    ],
)
def test_money_back_said_as_a_wish_clause_is_a_refund(language: str, text: str) -> None:
    """ "solo quiero que me devuelvan el dinero" was read as a replacement request: money back, said with a
    subjunctive or "get back" verb, is the refund wish in the phrases too."""
    assert wishes_in(text, language)[0] == ["refund"]


@pytest.mark.parametrize(
    ("language", "text", "wanted", "declined"),
    [
        # the buyer changes their mind within one message: the wish after the marker is the wish
        ("pl", "wyslijcie jeszcze raz. albo nie, oddajcie mi kase", ["refund"], ["replacement"]),
        ("en", "send a new one. or no, actually, just refund me", ["refund"], ["replacement"]),
        (
            "de",
            "Ich hätte gern einen Umtausch, oder nein, wissen Sie was, ich will mein Geld zurück",
            ["refund"],
            ["replacement"],
        ),
        ("cs", "poslete novy. nebo ne, vite co, chci penize zpatky", ["refund"], ["replacement"]),
        ("it", "mandatemene uno nuovo, anzi no, rimborsatemi", ["refund"], ["replacement"]),
        ("sv", "skicka en ny. eller nej förresten, jag vill ha pengarna tillbaka", ["refund"], ["replacement"]),
        # "no further shipping" turns the reshipment down
        ("pl", "nie, zadnej ponownej wysylki, zwrot pieniedzy", ["refund"], ["replacement"]),
        # a marker with no wish after it changes nothing
        ("en", "I'd like a new one. or no... I don't know", ["replacement"], []),
    ],
)
def test_a_wish_changed_within_the_message(language: str, text: str, wanted: list[str], declined: list[str]) -> None:
    assert wishes_in(text, language)[0] == wanted
    assert declined_wishes(text, language) == declined


# Held-out personas round 6 (sentences written apart from them): an apology asked for with the verb, and the money
# or coupon turned down with "no ... at all" words, is the apology wish alone.
@pytest.mark.parametrize(
    ("language", "text", "declined"),
    [
        ("cs", "zadny kupon nepotrebuju, staci kdyz se mi nekdo omluvi", ["discount"]),
        ("cs", "ani slevu ani vraceni penez, at se ten clovek omluvi", ["discount", "refund"]),
        ("ru", "никакой скидки, пусть просто извинятся", ["discount"]),
        ("uk", "жодних купонів, нехай просто вибачаться", ["discount"]),
        ("pl", "zadnego rabatu, niech ktos mnie przeprosi", ["discount"]),
    ],
)
def test_an_apology_asked_with_the_verb_and_money_turned_down(language: str, text: str, declined: list[str]) -> None:
    assert wishes_in(text, language)[0] == ["apology"]
    assert sorted(set(declined_wishes(text, language))) == sorted(declined)


# "At first I wanted X, but ..." turns X down (round 6; sentences written apart from the held-out set), and a new
# pair or the right size said in Latin-letter Ukrainian or Russian is the replacement wish.
@pytest.mark.parametrize(
    ("language", "text", "wishes", "declined"),
    [
        ("uk", "спочатку хотіла знижку, але краще надішліть нову", ["replacement"], ["discount"]),
        ("ru", "snachala hotela vernut dengi, no luchshe zamena", ["replacement"], ["refund"]),
        ("pl", "najpierw chcialam zwrot pieniedzy, ale wole wymiane", ["replacement"], ["refund"]),
        ("cs", "puvodne jsem chtel slevu, ale radsi vymenu", ["replacement"], ["discount"]),
        ("sq", "fillimisht desha rimbursim, por me mire nje te re", ["replacement"], ["refund"]),
        ("uk", "спочатку надішліть нову, потім заберете стару", ["replacement"], []),
        ("uk", "potribna insha para, pravylnogo rozmiru", ["replacement"], []),
        ("ru", "mne nuzhny novye, ne dengi", ["replacement"], []),
    ],
)
def test_a_wish_wanted_at_first_is_turned_down(
    language: str, text: str, wishes: list[str], declined: list[str]
) -> None:
    assert wishes_in(text, language)[0] == wishes
    assert declined_wishes(text, language) == declined


# "Only the two glasses": a count and a noun after "only" is one piece of a set, sent on its own (round 6; sentences
# written apart from the held-out set). A count of days or a percentage is not.
@pytest.mark.parametrize(
    ("language", "text", "part"),
    [
        ("ru", "пришлите только две тарелки вместо разбитых", "две тарелки"),
        ("uk", "надішліть лише дві чашки, решта ціла", "дві чашки"),
        ("pl", "wyslijcie tylko dwa kieliszki, reszta cala", "dwa kieliszki"),
        ("cs", "poslete jen dve sklenicky, zbytek je v poradku", "dve sklenicky"),
        ("sq", "me dergoni vetem dy gota, te tjerat jane mire", "dy gota"),
        ("ru", "только два дня назад пришло", None),
        ("pl", "tylko 30 procent?", None),
    ],
)
def test_only_a_count_of_pieces_is_the_part_wish(language: str, text: str, part: str | None) -> None:
    assert part_named(text, language) == part
    assert ("part" in wishes_in(text, language)[0]) is (part is not None)


# A part is named with the count said just before it: the noun alone stands in the case the numeral gave it
# ("нужную деталь: бокала" read as a broken sentence, round 6), and the count says how many are sent.
@pytest.mark.parametrize(
    ("language", "text", "part"),
    [
        ("ru", "не хватает двух колышков для палатки", "двух колышков"),
        ("ru", "dva kolyshka poteryalis, prishlite", "dva kolyshka"),
        ("de", "bitte nur die zwei fehlenden Haken nachschicken", "zwei fehlenden Haken"),
        ("en", "I counted them twice: send the 3 clips, please", "3 clips"),
        # Punctuation between a number and the part: the number counts something else.
        ("en", "I ordered 2, send the lid please", "lid"),
        ("pl", "zamowilam 3 sztuki, brakuje pokrywki", "pokrywki"),
    ],
)
def test_a_part_is_named_with_its_count(language: str, text: str, part: str) -> None:
    assert part_named(text, language) == part


# A grudging yes after a complaint is a yes, a negated one is not (round 6; sentences written apart from the set).
@pytest.mark.parametrize(
    ("language", "text", "said"),
    [
        ("sq", "shume pak, por mire, e pranoj", "yes"),
        ("sq", "nuk e pranoj kete", "no"),
        ("cs", "malo, ale beru", "yes"),
        ("cs", "neberu to", "no"),
        ("pl", "malo, ale trudno", "yes"),
        ("pl", "nie przyjmuje tego", "no"),
        ("ru", "мало, но ладно", "yes"),
        ("ru", "не принимаю", "no"),
        ("uk", "мало, але гаразд", "yes"),
        ("uk", "ні, не приймаю", "no"),
    ],
)
def test_a_grudging_yes(language: str, text: str, said: str) -> None:
    assert yes_no(text, language) == said


@pytest.mark.parametrize(
    ("text", "wishes"),
    [
        # "eine neue" with no noun after it asks for a new one (a live demo buyer was asked "what would be fair?")
        ("Ich möchte einfach einen neuen, bitte.", ["replacement"]),
        ("ich hätte lieber eine neue", ["replacement"]),
        # ... but not a new address, card or number
        ("ich brauche eine neue Lieferadresse für die nächste Bestellung", []),
        ("ich will eine neue Rechnung", []),
    ],
)
def test_german_a_new_one_without_a_noun(text: str, wishes: list[str]) -> None:
    assert wishes_in(text, "de")[0] == wishes
