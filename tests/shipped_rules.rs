//! The shipped rule set, language by language: labels that are boilerplate
//! in every site of that language are removed with the category that names
//! them, and ordinary sentences that share their words are not.

use boilerstrip::rules::{Category, RuleBook};

/// (block, the category of the shipped rule that must take it).
const BOILERPLATE: &[(&str, Category)] = &[
    // de
    ("Artikel teilen", Category::Share),
    ("Teilen mit:", Category::Share),
    ("Drucken", Category::Share),
    ("Newsletter abonnieren", Category::Subscribe),
    (
        "Melden Sie sich für unseren Newsletter an",
        Category::Subscribe,
    ),
    (
        "Wir verwenden Cookies, um Ihnen ein besseres Nutzererlebnis zu bieten.",
        Category::Consent,
    ),
    ("Alle akzeptieren", Category::Consent),
    ("Schreibe einen Kommentar", Category::Comments),
    (
        "Deine E-Mail-Adresse wird nicht veröffentlicht. Erforderliche Felder sind mit * markiert",
        Category::Comments,
    ),
    ("War dieser Artikel hilfreich?", Category::Feedback),
    ("Mehr zum Thema", Category::Teasers),
    ("Ähnliche Beiträge", Category::Teasers),
    ("ÄHNLICHE BEITRÄGE", Category::Teasers),
    ("Das könnte Sie auch interessieren", Category::Teasers),
    (
        "Lesen Sie auch: Die Bahn erhöht die Preise",
        Category::Teasers,
    ),
    ("Anzeige", Category::Ads),
    ("Startseite", Category::Navigation),
    ("Zurück zur Übersicht", Category::Navigation),
    ("Foto: Max Muster / dpa", Category::Captions),
    ("Bildquelle: Stadtarchiv", Category::Captions),
    ("Abbildung 3: Verlauf der Temperatur", Category::Captions),
    // fr
    ("Partager sur Facebook", Category::Share),
    ("Abonnez-vous", Category::Subscribe),
    (
        "Ce site utilise des cookies pour améliorer votre expérience.",
        Category::Consent,
    ),
    ("Tout refuser", Category::Consent),
    ("Laisser un commentaire", Category::Comments),
    ("Cet article vous a-t-il été utile ?", Category::Feedback),
    ("À lire aussi", Category::Teasers),
    (
        "Lire aussi : La réforme des retraites adoptée",
        Category::Teasers,
    ),
    ("Publicité", Category::Ads),
    ("Mentions légales", Category::Navigation),
    ("Tous droits réservés", Category::Navigation),
    // es
    ("Compartir en Twitter", Category::Share),
    ("Suscríbete", Category::Subscribe),
    (
        "Utilizamos cookies propias y de terceros para mejorar nuestros servicios.",
        Category::Consent,
    ),
    ("Deja un comentario", Category::Comments),
    ("Valora esta noticia", Category::Feedback),
    ("Noticias relacionadas", Category::Teasers),
    ("Te puede interesar", Category::Teasers),
    ("Publicidad", Category::Ads),
    ("Política de privacidad", Category::Navigation),
    ("Foto: Agencia EFE", Category::Captions),
    // it
    ("Condividi su Facebook", Category::Share),
    ("Iscriviti alla newsletter", Category::Subscribe),
    (
        "Questo sito utilizza cookie tecnici e di profilazione.",
        Category::Consent,
    ),
    ("Lascia un commento", Category::Comments),
    ("Articoli correlati", Category::Teasers),
    (
        "Leggi anche: Il governo approva la manovra",
        Category::Teasers,
    ),
    ("Pubblicità", Category::Ads),
    ("Torna su", Category::Navigation),
    // pl
    ("Udostępnij", Category::Share),
    ("Zapisz się do newslettera", Category::Subscribe),
    (
        "Ta strona używa plików cookie w celach statystycznych.",
        Category::Consent,
    ),
    ("Dodaj komentarz", Category::Comments),
    ("Zobacz także", Category::Teasers),
    ("Czytaj także: Sejm przyjął ustawę", Category::Teasers),
    ("Reklama", Category::Ads),
    ("Strona główna", Category::Navigation),
    ("Źródło: Wikimedia Commons", Category::Captions),
    // nl
    ("Deel dit artikel", Category::Share),
    ("Schrijf je in voor onze nieuwsbrief", Category::Subscribe),
    (
        "Deze website gebruikt cookies om het gebruik te analyseren.",
        Category::Consent,
    ),
    ("Geef een reactie", Category::Comments),
    ("Gerelateerde artikelen", Category::Teasers),
    ("Advertentie", Category::Ads),
    ("Naar boven", Category::Navigation),
    // pt
    ("Compartilhar no WhatsApp", Category::Share),
    ("Inscreva-se na nossa newsletter", Category::Subscribe),
    (
        "Este site utiliza cookies para melhorar a sua experiência.",
        Category::Consent,
    ),
    ("Deixe um comentário", Category::Comments),
    ("Este artigo foi útil?", Category::Feedback),
    ("Leia também", Category::Teasers),
    ("Publicidade", Category::Ads),
    ("Política de privacidade", Category::Navigation),
    ("Você pode gostar...", Category::Teasers),
    (
        "ATENÇÃO: Comentários com textos ofensivos não serão aprovados pelo moderador.",
        Category::Comments,
    ),
    ("Tags:", Category::Navigation),
    ("Schlagwörter", Category::Navigation),
    // ru
    ("Фото: личный архив Олеси Куприн", Category::Captions),
    // en
    ("Was this article helpful?", Category::Feedback),
    ("Rate this recipe", Category::Feedback),
    ("Back to Gallery", Category::Navigation),
    ("Image 3 of 12", Category::Navigation),
    ("1 / 8", Category::Navigation),
    (
        "Media playback is unsupported on your device",
        Category::Navigation,
    ),
    ("Image copyright Getty Images", Category::Captions),
    ("Other news in this section", Category::Teasers),
    (
        "*These statements have not been evaluated by the Food and Drug Administration. This product is not intended to diagnose, treat, cure, or prevent any disease.",
        Category::Legal,
    ),
    (
        "iPhone and iPad are registered trademarks of Apple Inc., registered in the U.S. and other countries.",
        Category::Legal,
    ),
    ("Zurück zur Galerie", Category::Navigation),
];

/// Sentences of articles that start with, or hold, the words of a label.
const ARTICLE: &[&str] = &[
    "Teilen wollte der Bürgermeister die Kosten nicht mit dem Land, sagte er am Montag.",
    "Anzeige erstattete die Polizei noch am selben Abend gegen den Fahrer des Wagens.",
    "Mehr zum Thema Wohnungsbau will der Senat im Herbst vorlegen, kündigte die Senatorin an.",
    "Partager les coûts entre les communes reste la priorité du conseil régional.",
    "Compartir el coche reduce las emisiones, según el estudio de la universidad.",
    "Condividi la tua esperienza: così il museo invita i visitatori a scrivere.",
    "Publicidad engañosa: la autoridad multó a la empresa con dos millones de euros.",
    "Reklama w telewizji kosztuje coraz więcej, wynika z raportu agencji.",
    "Foto- und Videoaufnahmen sind während der Sitzung nicht erlaubt, teilte das Gericht mit.",
    "Image 3 of the series shows the bridge before the flood, the curator said.",
    "Back to the gallery went the paintings once the loan had ended.",
    "Other news in the region was overshadowed by the storm.",
];

#[test]
fn labels_in_each_language_are_taken_by_the_rule_of_their_kind() {
    let book = RuleBook::shipped().unwrap();
    let set = book.for_site(None);
    let mut wrong = Vec::new();
    for &(text, want) in BOILERPLATE {
        let words = boilerstrip::document::Features::of(text).words;
        match set.match_block(text, words) {
            Some(m) if set.rules()[m.index].category == want => {}
            Some(m) => wrong.push(format!(
                "{text:?}: {} ({}), not {want}",
                set.rules()[m.index].id,
                set.rules()[m.index].category
            )),
            None => wrong.push(format!("{text:?}: no rule, want {want}")),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn article_sentences_that_share_a_labels_words_stay() {
    let book = RuleBook::shipped().unwrap();
    let set = book.for_site(None);
    for text in ARTICLE {
        let words = boilerstrip::document::Features::of(text).words;
        if let Some(m) = set.match_block(text, words) {
            panic!("{text:?} taken by {}", set.rules()[m.index].id);
        }
    }
}
