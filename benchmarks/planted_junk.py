"""Plant page furniture inside an article's main container, to measure how much of it survives.

Extractors are good at dropping navigation, footers and sidebars: whole blocks outside the
article. The junk that leaks into extracted text sits inside the article container, between the
paragraphs: view counters, share prompts, "advertisement" labels, photo credits, newsletter
teasers. `plant_junk` builds a variant of a page with 3 to 5 such blocks inserted among the
paragraphs of the element that holds the most paragraph text, and records the exact strings it
planted, so a benchmark can count how many of them reach the output.

Everything is deterministic: the choices come from `random.Random(page_id)`. The wordings below
are written for this benchmark, in eight languages, with numbers, names and dates that vary per
page. `plant_junk` takes other wordings and class names as arguments: the held-out set in
`benchmarks.holdout_junk` is planted the same way.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import lxml.html
from lxml import etree

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    Wordings = Mapping[str, Mapping[str, Sequence[str]]]
    """Junk kind to language to templates, shaped like `JUNK_WORDINGS`."""

    KindClasses = Mapping[str, Sequence[str]]
    """Junk kind to the class names its markup may carry, shaped like `_KIND_CLASSES`."""

LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "nl", "pl")
"""Languages with their own junk wordings; any other language falls back to English."""

MIN_BLOCKS = 3
MAX_BLOCKS = 5

_WHITESPACE = re.compile(r"\s+")

# Placeholders: {n} large count, {k} small count, {votes} vote count, {rating} score out of 5,
# {min} minutes, {ss} seconds, {hours} hours, {i}/{j} position in a series, {name} person,
# {agency} photo agency, {date} long date, {numdate} numeric date, {weekday}, {time} HH:MM.
JUNK_WORDINGS: dict[str, dict[str, tuple[str, ...]]] = {
    "views": {
        "en": ("{n} views", "Viewed {n} times", "This article has been read {n} times",
               "{n} reads"),
        "de": ("{n} Aufrufe", "{n} mal gelesen", "Dieser Artikel wurde {n} Mal aufgerufen",
               "Gelesen: {n}"),
        "fr": ("{n} vues", "Lu {n} fois", "Cet article a été consulté {n} fois", "{n} lectures"),
        "es": ("{n} visitas", "Leído {n} veces", "Este artículo ha sido visto {n} veces",
               "{n} lecturas"),
        "it": ("{n} visualizzazioni", "Letto {n} volte", "Questo articolo è stato letto {n} volte",
               "{n} letture"),
        "pt": ("{n} visualizações", "Lido {n} vezes", "Esta matéria foi vista {n} vezes",
               "{n} leituras"),
        "nl": ("{n} keer bekeken", "{n} weergaven", "Dit artikel is {n} keer gelezen",
               "Gelezen: {n}"),
        "pl": ("{n} wyświetleń", "Odsłony: {n}", "Ten artykuł przeczytano {n} razy",
               "Przeczytano {n} razy"),
    },
    "reading_time": {
        "en": ("Reading time: {min} minutes", "{min} min read", "Estimated reading time: {min} min",
               "Takes about {min} minutes to read"),
        "de": ("Lesezeit: {min} Minuten", "{min} Min. Lesezeit",
               "Geschätzte Lesedauer: {min} Minuten", "Lesedauer ca. {min} Min."),
        "fr": ("Temps de lecture : {min} minutes", "Lecture : {min} min", "{min} min de lecture",
               "Durée de lecture estimée : {min} minutes"),
        "es": ("Tiempo de lectura: {min} minutos", "{min} min de lectura",
               "Lectura estimada: {min} minutos", "Se lee en {min} minutos"),
        "it": ("Tempo di lettura: {min} minuti", "{min} minuti di lettura", "Lettura: {min} min",
               "Si legge in circa {min} minuti"),
        "pt": ("Tempo de leitura: {min} minutos", "Leitura de {min} min", "{min} min de leitura",
               "Leitura estimada: {min} minutos"),
        "nl": ("Leestijd: {min} minuten", "{min} min leestijd", "Geschatte leestijd: {min} minuten",
               "Leesduur ongeveer {min} min."),
        "pl": ("Czas czytania: {min} min", "Lektura na {min} min",
               "Szacowany czas lektury: {min} min", "Przeczytasz w {min} min"),
    },
    "rating": {
        "en": ("Rating: {rating} out of 5 ({votes} votes)", "{rating}/5 stars from {votes} readers",
               "Rate this article: {rating} ({votes} ratings)",
               "Average score {rating} of 5 · {votes} reviews"),
        "de": ("Bewertung: {rating} von 5 ({votes} Stimmen)",
               "{rating}/5 Sterne bei {votes} Bewertungen",
               "Artikel bewerten: {rating} ({votes} Bewertungen)",
               "Durchschnitt {rating} von 5 Sternen · {votes} Stimmen"),
        "fr": ("Note : {rating} sur 5 ({votes} votes)", "{rating}/5 étoiles ({votes} avis)",
               "Notez cet article : {rating} ({votes} votes)",
               "Moyenne {rating} sur 5 · {votes} avis"),
        "es": ("Valoración: {rating} de 5 ({votes} votos)",
               "{rating}/5 estrellas ({votes} opiniones)",
               "Puntúa este artículo: {rating} ({votes} votos)",
               "Media de {rating} sobre 5 · {votes} valoraciones"),
        "it": ("Valutazione: {rating} su 5 ({votes} voti)",
               "{rating}/5 stelle ({votes} recensioni)",
               "Vota questo articolo: {rating} ({votes} voti)",
               "Media {rating} su 5 · {votes} voti"),
        "pt": ("Avaliação: {rating} de 5 ({votes} votos)",
               "{rating}/5 estrelas ({votes} avaliações)",
               "Avalie este artigo: {rating} ({votes} votos)",
               "Média {rating} de 5 · {votes} votos"),
        "nl": ("Beoordeling: {rating} van 5 ({votes} stemmen)",
               "{rating}/5 sterren ({votes} beoordelingen)",
               "Beoordeel dit artikel: {rating} ({votes} stemmen)",
               "Gemiddeld {rating} uit 5 · {votes} stemmen"),
        "pl": ("Ocena: {rating} na 5 ({votes} głosów)", "{rating}/5 gwiazdek ({votes} opinii)",
               "Oceń ten artykuł: {rating} ({votes} głosów)",
               "Średnia {rating} z 5 · {votes} ocen"),
    },
    "share": {
        "en": ("Share on Facebook Twitter WhatsApp",
               "Share this story: Facebook · X · LinkedIn · Email",
               "Spread the word: Facebook, Reddit, Telegram", "Share | Tweet | Pin it"),
        "de": ("Teilen auf Facebook Twitter WhatsApp",
               "Artikel teilen: Facebook · X · LinkedIn · E-Mail",
               "Jetzt teilen: Facebook, Xing, Telegram", "Teilen | Twittern | Merken"),
        "fr": ("Partager sur Facebook Twitter WhatsApp",
               "Partagez cet article : Facebook · X · LinkedIn · E-mail",
               "Faites passer le mot : Facebook, Messenger, Telegram",
               "Partager | Tweeter | Épingler"),
        "es": ("Compartir en Facebook Twitter WhatsApp",
               "Comparte esta noticia: Facebook · X · LinkedIn · Correo",
               "Difúndelo: Facebook, Telegram, WhatsApp", "Compartir | Tuitear | Guardar"),
        "it": ("Condividi su Facebook Twitter WhatsApp",
               "Condividi questo articolo: Facebook · X · LinkedIn · Email",
               "Passa parola: Facebook, Telegram, WhatsApp", "Condividi | Twitta | Salva"),
        "pt": ("Compartilhar no Facebook Twitter WhatsApp",
               "Partilhe este artigo: Facebook · X · LinkedIn · E-mail",
               "Espalhe a notícia: Facebook, Telegram, WhatsApp", "Compartilhe | Tuíte | Salvar"),
        "nl": ("Delen op Facebook Twitter WhatsApp",
               "Deel dit artikel: Facebook · X · LinkedIn · E-mail",
               "Vertel het verder: Facebook, Telegram, WhatsApp", "Delen | Tweeten | Bewaren"),
        "pl": ("Udostępnij na Facebooku Twitterze WhatsAppie",
               "Podziel się artykułem: Facebook · X · LinkedIn · E-mail",
               "Przekaż dalej: Facebook, Telegram, WhatsApp", "Udostępnij | Tweetnij | Zapisz"),
    },
    "newsletter": {
        "en": ("Get our morning briefing in your inbox – sign up now",
               "Subscribe to our newsletter and never miss a story",
               "Enter your email address to receive the weekly digest",
               "Like this? Join {n} readers on our free newsletter"),
        "de": ("Unser Morgen-Briefing direkt ins Postfach – jetzt anmelden",
               "Abonnieren Sie unseren Newsletter und verpassen Sie nichts mehr",
               "E-Mail-Adresse eingeben und den Wochenrückblick erhalten",
               "Gefällt Ihnen das? {n} Leser beziehen unseren kostenlosen Newsletter"),
        "fr": ("Recevez notre briefing du matin dans votre boîte mail – inscrivez-vous",
               "Abonnez-vous à notre newsletter pour ne rien manquer",
               "Saisissez votre adresse e-mail pour recevoir la lettre hebdomadaire",
               "Rejoignez les {n} abonnés de notre newsletter gratuite"),
        "es": ("Recibe nuestro resumen matinal en tu correo: suscríbete ya",
               "Suscríbete a nuestro boletín y no te pierdas nada",
               "Introduce tu correo electrónico para recibir el resumen semanal",
               "Únete a los {n} lectores de nuestra newsletter gratuita"),
        "it": ("Ricevi il nostro buongiorno via email: iscriviti ora",
               "Iscriviti alla nostra newsletter per non perdere nulla",
               "Inserisci il tuo indirizzo email per ricevere il riepilogo settimanale",
               "Unisciti ai {n} iscritti della nostra newsletter gratuita"),
        "pt": ("Receba o nosso resumo da manhã no seu e-mail – inscreva-se já",
               "Assine a nossa newsletter e não perca nenhuma notícia",
               "Digite seu e-mail para receber o resumo semanal",
               "Junte-se aos {n} leitores da nossa newsletter gratuita"),
        "nl": ("Ontvang onze ochtendbriefing in je inbox – meld je nu aan",
               "Abonneer je op onze nieuwsbrief en mis niets meer",
               "Vul je e-mailadres in en ontvang het wekelijkse overzicht",
               "Sluit je aan bij {n} lezers van onze gratis nieuwsbrief"),
        "pl": ("Poranny przegląd prosto na Twoją skrzynkę – zapisz się teraz",
               "Zapisz się do naszego newslettera i bądź na bieżąco",
               "Podaj adres e-mail, aby otrzymywać cotygodniowe podsumowanie",
               "Dołącz do {n} czytelników naszego bezpłatnego newslettera"),
    },
    "advert": {
        "en": ("Advertisement", "Sponsored", "Ad · Story continues below", "Paid partner content"),
        "de": ("Anzeige", "Werbung", "Anzeige · Weiterlesen nach der Anzeige",
               "Gesponserter Inhalt"),
        "fr": ("Publicité", "Contenu sponsorisé", "Publicité · La suite après cette publicité",
               "Annonce"),
        "es": ("Publicidad", "Patrocinado", "Anuncio · Sigue leyendo debajo",
               "Contenido patrocinado"),
        "it": ("Pubblicità", "Contenuto sponsorizzato", "Annuncio · L'articolo continua sotto",
               "Sponsorizzato"),
        "pt": ("Publicidade", "Patrocinado", "Anúncio · Continua depois da publicidade",
               "Conteúdo patrocinado"),
        "nl": ("Advertentie", "Gesponsord", "Advertentie · Lees verder onder de advertentie",
               "Betaalde samenwerking"),
        "pl": ("Reklama", "Materiał sponsorowany", "Reklama · Dalsza część artykułu poniżej",
               "Artykuł sponsorowany"),
    },
    "follow": {
        "en": ("Follow us on Instagram and YouTube", "Join {n} followers on Telegram",
               "Like our page on Facebook for daily updates", "Follow us on Google News"),
        "de": ("Folgen Sie uns auf Instagram und YouTube",
               "Schon {n} Follower auf Telegram – folgen Sie uns",
               "Liken Sie unsere Facebook-Seite für tägliche Updates", "Folge uns auf Google News"),
        "fr": ("Suivez-nous sur Instagram et YouTube", "Rejoignez nos {n} abonnés sur Telegram",
               "Aimez notre page Facebook pour ne rien rater", "Suivez-nous sur Google Actualités"),
        "es": ("Síguenos en Instagram y YouTube", "Únete a nuestros {n} seguidores en Telegram",
               "Dale me gusta a nuestra página de Facebook", "Síguenos en Google Noticias"),
        "it": ("Seguici su Instagram e YouTube", "Unisciti ai nostri {n} follower su Telegram",
               "Metti mi piace alla nostra pagina Facebook", "Seguici su Google News"),
        "pt": ("Siga-nos no Instagram e no YouTube",
               "Junte-se aos nossos {n} seguidores no Telegram", "Curta a nossa página no Facebook",
               "Siga-nos no Google Notícias"),
        "nl": ("Volg ons op Instagram en YouTube", "Sluit je aan bij onze {n} volgers op Telegram",
               "Like onze Facebookpagina voor dagelijkse updates", "Volg ons op Google Nieuws"),
        "pl": ("Obserwuj nas na Instagramie i YouTube", "Dołącz do {n} obserwujących na Telegramie",
               "Polub nasz profil na Facebooku", "Obserwuj nas w Google News"),
    },
    "cookie": {
        "en": ("We use cookies to improve your experience. By continuing to browse you accept "
               "our cookie policy.",
               "This site uses cookies. Accept all | Settings",
               "Cookies help us deliver our services. OK, got it",
               "By using this website you agree to the storage of cookies on your device."),
        "de": ("Wir verwenden Cookies, um Ihr Erlebnis zu verbessern. Mit der weiteren Nutzung "
               "stimmen Sie unserer Cookie-Richtlinie zu.",
               "Diese Seite nutzt Cookies. Alle akzeptieren | Einstellungen",
               "Cookies helfen uns bei der Bereitstellung unserer Dienste. Verstanden",
               "Durch die Nutzung dieser Website stimmen Sie der Speicherung von Cookies auf "
               "Ihrem Gerät zu."),
        "fr": ("Nous utilisons des cookies pour améliorer votre expérience. En poursuivant votre "
               "navigation, vous acceptez notre politique de cookies.",
               "Ce site utilise des cookies. Tout accepter | Paramétrer",
               "Les cookies nous aident à fournir nos services. J'ai compris",
               "En utilisant ce site, vous acceptez le dépôt de cookies sur votre appareil."),
        "es": ("Utilizamos cookies para mejorar tu experiencia. Si continúas navegando, aceptas "
               "nuestra política de cookies.",
               "Este sitio usa cookies. Aceptar todas | Configurar",
               "Las cookies nos ayudan a prestar nuestros servicios. Entendido",
               "Al usar este sitio web aceptas el almacenamiento de cookies en tu dispositivo."),
        "it": ("Utilizziamo i cookie per migliorare la tua esperienza. Continuando la "
               "navigazione accetti la nostra cookie policy.",
               "Questo sito usa cookie. Accetta tutti | Impostazioni",
               "I cookie ci aiutano a fornire i nostri servizi. Ho capito",
               "Usando questo sito acconsenti alla memorizzazione dei cookie sul tuo dispositivo."),
        "pt": ("Usamos cookies para melhorar a sua experiência. Ao continuar navegando, você "
               "aceita a nossa política de cookies.",
               "Este site utiliza cookies. Aceitar todos | Definições",
               "Os cookies ajudam-nos a prestar os nossos serviços. Entendi",
               "Ao utilizar este site, concorda com o armazenamento de cookies no seu "
               "dispositivo."),
        "nl": ("Wij gebruiken cookies om je ervaring te verbeteren. Door verder te surfen ga je "
               "akkoord met ons cookiebeleid.",
               "Deze site gebruikt cookies. Alles accepteren | Instellingen",
               "Cookies helpen ons onze diensten te leveren. Oké, begrepen",
               "Door deze website te gebruiken ga je akkoord met het opslaan van cookies op je "
               "apparaat."),
        "pl": ("Używamy plików cookies, aby poprawić jakość korzystania z serwisu. Dalsze "
               "korzystanie oznacza akceptację polityki cookies.",
               "Ta strona korzysta z plików cookies. Akceptuję wszystkie | Ustawienia",
               "Pliki cookies pomagają nam świadczyć usługi. Rozumiem",
               "Korzystając z tej witryny, zgadzasz się na zapisywanie plików cookies na Twoim "
               "urządzeniu."),
    },
    "comment_prompt": {
        "en": ("Leave a comment", "Be the first to comment", "Join the discussion ({k} comments)",
               "Comments are closed for this article"),
        "de": ("Kommentar schreiben", "Schreiben Sie den ersten Kommentar",
               "Diskutieren Sie mit ({k} Kommentare)",
               "Die Kommentarfunktion für diesen Artikel ist geschlossen"),
        "fr": ("Laisser un commentaire", "Soyez le premier à réagir",
               "Participez à la discussion ({k} commentaires)",
               "Les commentaires sont fermés pour cet article"),
        "es": ("Deja un comentario", "Sé el primero en comentar",
               "Únete a la conversación ({k} comentarios)",
               "Los comentarios de esta noticia están cerrados"),
        "it": ("Lascia un commento", "Commenta per primo",
               "Partecipa alla discussione ({k} commenti)",
               "I commenti a questo articolo sono chiusi"),
        "pt": ("Deixe um comentário", "Seja o primeiro a comentar",
               "Participe da conversa ({k} comentários)",
               "Os comentários deste artigo estão encerrados"),
        "nl": ("Laat een reactie achter", "Reageer als eerste", "Praat mee ({k} reacties)",
               "Reageren op dit artikel is niet meer mogelijk"),
        "pl": ("Dodaj komentarz", "Skomentuj jako pierwszy", "Dołącz do dyskusji ({k} komentarzy)",
               "Komentowanie tego artykułu zostało wyłączone"),
    },
    "photo_credit": {
        "en": ("Photo: {agency}/{name}", "Image: {name} for {agency}",
               "Credit: {agency} / {name}", "© {agency} | Photo by {name}"),
        "de": ("Foto: {agency}/{name}", "Bild: {name}/{agency}", "Bildquelle: {agency} / {name}",
               "© {agency} | Foto: {name}"),
        "fr": ("Photo : {agency}/{name}", "Crédit photo : {name} / {agency}",
               "Image : {agency} / {name}", "© {agency} | Photo {name}"),
        "es": ("Foto: {agency}/{name}", "Imagen: {name} / {agency}",
               "Fotografía de {name} ({agency})", "© {agency} | Foto: {name}"),
        "it": ("Foto: {agency}/{name}", "Immagine: {name} / {agency}",
               "Credito fotografico: {agency} / {name}", "© {agency} | Foto di {name}"),
        "pt": ("Foto: {agency}/{name}", "Imagem: {name} / {agency}",
               "Fotografia de {name} ({agency})", "© {agency} | Foto: {name}"),
        "nl": ("Foto: {agency}/{name}", "Beeld: {name} / {agency}",
               "Fotografie: {name} ({agency})", "© {agency} | Foto: {name}"),
        "pl": ("Fot. {agency}/{name}", "Zdjęcie: {name} / {agency}",
               "Źródło zdjęcia: {agency} / {name}", "© {agency} | fot. {name}"),
    },
    "toc": {
        "en": ("Table of contents [show]", "Contents (hide)", "Jump to section ▾",
               "In this article: show all sections"),
        "de": ("Inhaltsverzeichnis [anzeigen]", "Inhalt (ausblenden)", "Springe zu Abschnitt ▾",
               "In diesem Artikel: alle Abschnitte anzeigen"),
        "fr": ("Sommaire [afficher]", "Table des matières (masquer)", "Aller à la section ▾",
               "Dans cet article : afficher toutes les sections"),
        "es": ("Índice [mostrar]", "Contenido (ocultar)", "Ir a la sección ▾",
               "En este artículo: ver todas las secciones"),
        "it": ("Indice [mostra]", "Sommario (nascondi)", "Vai alla sezione ▾",
               "In questo articolo: mostra tutte le sezioni"),
        "pt": ("Índice [mostrar]", "Conteúdo (ocultar)", "Ir para a seção ▾",
               "Neste artigo: ver todas as seções"),
        "nl": ("Inhoudsopgave [tonen]", "Inhoud (verbergen)", "Ga naar sectie ▾",
               "In dit artikel: alle secties tonen"),
        "pl": ("Spis treści [pokaż]", "Zawartość (ukryj)", "Przejdź do sekcji ▾",
               "W tym artykule: pokaż wszystkie sekcje"),
    },
    "updated": {
        "en": ("Updated", "Last updated {hours} hours ago", "Updated on {date}",
               "Updated: {numdate}, {time}"),
        "de": ("Aktualisiert", "Zuletzt aktualisiert vor {hours} Stunden", "Aktualisiert am {date}",
               "Update: {numdate}, {time} Uhr"),
        "fr": ("Mis à jour", "Mis à jour il y a {hours} heures", "Mis à jour le {date}",
               "Actualisé : {numdate} à {time}"),
        "es": ("Actualizado", "Actualizado hace {hours} horas", "Actualizado el {date}",
               "Última actualización: {numdate} {time}"),
        "it": ("Aggiornato", "Aggiornato {hours} ore fa", "Aggiornato il {date}",
               "Ultimo aggiornamento: {numdate} ore {time}"),
        "pt": ("Atualizado", "Atualizado há {hours} horas", "Atualizado em {date}",
               "Última atualização: {numdate} às {time}"),
        "nl": ("Bijgewerkt", "{hours} uur geleden bijgewerkt", "Bijgewerkt op {date}",
               "Laatste update: {numdate}, {time}"),
        "pl": ("Aktualizacja", "Zaktualizowano {hours} godz. temu", "Aktualizacja: {date}",
               "Ostatnia aktualizacja: {numdate}, {time}"),
    },
    "related": {
        "en": ("Related articles", "You might also like", "More on this topic",
               "Recommended for you"),
        "de": ("Weitere Artikel zum Thema", "Das könnte Sie auch interessieren", "Mehr zum Thema",
               "Lesen Sie auch:"),
        "fr": ("Articles similaires", "Vous aimerez aussi", "À lire aussi", "Sur le même sujet"),
        "es": ("Artículos relacionados", "También te puede interesar", "Más sobre este tema",
               "Lee también:"),
        "it": ("Articoli correlati", "Potrebbe interessarti anche", "Leggi anche:",
               "Altro su questo argomento"),
        "pt": ("Artigos relacionados", "Você também pode gostar", "Leia também:",
               "Mais sobre este assunto"),
        "nl": ("Gerelateerde artikelen", "Dit vind je misschien ook interessant", "Lees ook:",
               "Meer over dit onderwerp"),
        "pl": ("Powiązane artykuły", "Może Cię również zainteresować", "Czytaj także:",
               "Więcej na ten temat"),
    },
    "print_email": {
        "en": ("Print | E-mail", "Print this article", "Send by email · Print · PDF",
               "Email this page to a friend"),
        "de": ("Drucken | E-Mail", "Artikel drucken", "Per E-Mail versenden · Drucken · PDF",
               "Seite per Mail empfehlen"),
        "fr": ("Imprimer | E-mail", "Imprimer cet article", "Envoyer par e-mail · Imprimer · PDF",
               "Envoyer cette page à un ami"),
        "es": ("Imprimir | Correo", "Imprimir esta noticia", "Enviar por correo · Imprimir · PDF",
               "Enviar esta página a un amigo"),
        "it": ("Stampa | Email", "Stampa questo articolo", "Invia per email · Stampa · PDF",
               "Invia questa pagina a un amico"),
        "pt": ("Imprimir | E-mail", "Imprimir este artigo", "Enviar por e-mail · Imprimir · PDF",
               "Enviar esta página a um amigo"),
        "nl": ("Printen | E-mail", "Dit artikel printen", "Versturen per e-mail · Printen · PDF",
               "Stuur deze pagina naar een vriend"),
        "pl": ("Drukuj | E-mail", "Wydrukuj artykuł", "Wyślij e-mailem · Drukuj · PDF",
               "Poleć tę stronę znajomemu"),
    },
    "app_spam": {
        "en": ("Download our free app on the App Store and Google Play",
               "Read it first in our app – install now",
               "Free video downloader: save any clip in HD in one click",
               "Get the app: breaking news alerts on your phone"),
        "de": ("Laden Sie unsere kostenlose App im App Store und bei Google Play",
               "Zuerst in unserer App lesen – jetzt installieren",
               "Gratis Video-Downloader: jeden Clip in HD mit einem Klick speichern",
               "Jetzt die App holen: Eilmeldungen aufs Smartphone"),
        "fr": ("Téléchargez notre application gratuite sur l'App Store et Google Play",
               "Lisez-le d'abord dans notre appli – installez-la maintenant",
               "Téléchargeur vidéo gratuit : enregistrez n'importe quel clip en HD en un clic",
               "Installez l'appli : les alertes info sur votre mobile"),
        "es": ("Descarga nuestra app gratuita en App Store y Google Play",
               "Léelo primero en nuestra app: instálala ya",
               "Descargador de vídeos gratis: guarda cualquier clip en HD con un clic",
               "Consigue la app: alertas de última hora en tu móvil"),
        "it": ("Scarica la nostra app gratuita su App Store e Google Play",
               "Leggilo prima nella nostra app: installala ora",
               "Video downloader gratis: salva qualsiasi clip in HD con un clic",
               "Scarica l'app: le ultime notizie sul tuo telefono"),
        "pt": ("Baixe nosso aplicativo grátis na App Store e no Google Play",
               "Leia primeiro no nosso app – instale agora",
               "Baixador de vídeos grátis: salve qualquer clipe em HD com um clique",
               "Instale a app: alertas de última hora no seu telemóvel"),
        "nl": ("Download onze gratis app in de App Store en Google Play",
               "Lees het eerst in onze app – installeer nu",
               "Gratis videodownloader: sla elke clip in HD op met één klik",
               "Haal de app: breaking news op je telefoon"),
        "pl": ("Pobierz naszą darmową aplikację z App Store i Google Play",
               "Czytaj najpierw w naszej aplikacji – zainstaluj teraz",
               "Darmowy downloader wideo: zapisz dowolny klip w HD jednym kliknięciem",
               "Pobierz aplikację: najważniejsze wiadomości na Twoim telefonie"),
    },
    "date_line": {
        "en": ("{date}", "{weekday}, {date}", "{numdate} {time}", "{date} at {time}"),
        "de": ("{date}", "{weekday}, {date}", "{numdate}, {time} Uhr", "{date} um {time} Uhr"),
        "fr": ("{date}", "{weekday} {date}", "{numdate} {time}", "{date} à {time}"),
        "es": ("{date}", "{weekday}, {date}", "{numdate} {time}", "{date} a las {time}"),
        "it": ("{date}", "{weekday} {date}", "{numdate} {time}", "{date} alle {time}"),
        "pt": ("{date}", "{weekday}, {date}", "{numdate} {time}", "{date} às {time}"),
        "nl": ("{date}", "{weekday} {date}", "{numdate} {time}", "{date} om {time}"),
        "pl": ("{date}", "{weekday}, {date}", "{numdate} {time}", "{date}, godz. {time}"),
    },
    "byline_counter": {
        "en": ("By {name} · {min} min · {n} views", "{name} | {date} | {k} comments",
               "Written by {name} — {k} comments", "{name}, {numdate} · {n} reads"),
        "de": ("Von {name} · {min} Min. · {n} Aufrufe", "{name} | {date} | {k} Kommentare",
               "Ein Beitrag von {name} – {k} Kommentare", "{name}, {numdate} · {n} mal gelesen"),
        "fr": ("Par {name} · {min} min · {n} vues", "{name} | {date} | {k} commentaires",
               "Rédigé par {name} – {k} commentaires", "{name}, {numdate} · {n} lectures"),
        "es": ("Por {name} · {min} min · {n} visitas", "{name} | {date} | {k} comentarios",
               "Escrito por {name} – {k} comentarios", "{name}, {numdate} · {n} lecturas"),
        "it": ("Di {name} · {min} min · {n} visualizzazioni", "{name} | {date} | {k} commenti",
               "Scritto da {name} – {k} commenti", "{name}, {numdate} · {n} letture"),
        "pt": ("Por {name} · {min} min · {n} visualizações", "{name} | {date} | {k} comentários",
               "Escrito por {name} – {k} comentários", "{name}, {numdate} · {n} leituras"),
        "nl": ("Door {name} · {min} min · {n} weergaven", "{name} | {date} | {k} reacties",
               "Geschreven door {name} – {k} reacties", "{name}, {numdate} · {n} keer gelezen"),
        "pl": ("Autor: {name} · {min} min · {n} wyświetleń", "{name} | {date} | {k} komentarzy",
               "Tekst: {name} – {k} komentarzy", "{name}, {numdate} · {n} odsłon"),
    },
    "gallery": {
        "en": ("Image {i} of {j}", "Photo {i}/{j}", "Gallery: {j} photos",
               "Open gallery ({j} images)"),
        "de": ("Bild {i} von {j}", "Foto {i}/{j}", "Bildergalerie: {j} Bilder",
               "Galerie öffnen ({j} Fotos)"),
        "fr": ("Image {i} sur {j}", "Photo {i}/{j}", "Diaporama : {j} photos",
               "Voir la galerie ({j} images)"),
        "es": ("Imagen {i} de {j}", "Foto {i}/{j}", "Galería: {j} fotos",
               "Ver galería ({j} imágenes)"),
        "it": ("Immagine {i} di {j}", "Foto {i}/{j}", "Fotogallery: {j} foto",
               "Apri la galleria ({j} immagini)"),
        "pt": ("Imagem {i} de {j}", "Foto {i}/{j}", "Galeria: {j} fotos",
               "Ver galeria ({j} imagens)"),
        "nl": ("Afbeelding {i} van {j}", "Foto {i}/{j}", "Fotoserie: {j} foto's",
               "Bekijk de galerij ({j} beelden)"),
        "pl": ("Zdjęcie {i} z {j}", "Fot. {i}/{j}", "Galeria: {j} zdjęć",
               "Otwórz galerię ({j} zdjęć)"),
    },
    "listen": {
        "en": ("Listen to this article · {min}:{ss}", "Audio version ({min} min)",
               "Play audio: {min} min {ss} s", "Hear this story read aloud"),
        "de": ("Artikel anhören · {min}:{ss}", "Audioversion ({min} Min.)",
               "Vorlesen lassen: {min} Min. {ss} Sek.", "Diesen Beitrag als Audio hören"),
        "fr": ("Écouter cet article · {min}:{ss}", "Version audio ({min} min)",
               "Lecture audio : {min} min {ss} s", "Écoutez cet article lu à voix haute"),
        "es": ("Escuchar este artículo · {min}:{ss}", "Versión en audio ({min} min)",
               "Reproducir audio: {min} min {ss} s", "Escucha esta noticia en voz alta"),
        "it": ("Ascolta questo articolo · {min}:{ss}", "Versione audio ({min} min)",
               "Riproduci audio: {min} min {ss} s", "Ascolta la lettura di questo articolo"),
        "pt": ("Ouvir este artigo · {min}:{ss}", "Versão em áudio ({min} min)",
               "Reproduzir áudio: {min} min {ss} s", "Ouça esta notícia em voz alta"),
        "nl": ("Luister naar dit artikel · {min}:{ss}", "Audioversie ({min} min)",
               "Audio afspelen: {min} min {ss} s", "Laat dit artikel voorlezen"),
        "pl": ("Posłuchaj artykułu · {min}:{ss}", "Wersja audio ({min} min)",
               "Odtwórz audio: {min} min {ss} s", "Posłuchaj tego tekstu na głos"),
    },
}  # fmt: skip

# Class names a site might give each kind of block; neutral ones are mixed in so that
# class-name heuristics alone cannot catch every block.
_KIND_CLASSES: dict[str, tuple[str, ...]] = {
    "views": ("post-views", "view-count", "entry-meta__views"),
    "reading_time": ("reading-time", "read-time", "rt-label"),
    "rating": ("rating", "star-rating", "post-ratings"),
    "share": ("share-buttons", "social-share", "sharebar"),
    "newsletter": ("newsletter-signup", "nl-teaser", "subscribe-box"),
    "advert": ("ad-label", "advert", "sponsored-label"),
    "follow": ("follow-us", "social-follow", "channel-promo"),
    "cookie": ("cookie-notice", "consent-banner", "gdpr-info"),
    "comment_prompt": ("comments-cta", "comment-respond", "discussion-teaser"),
    "photo_credit": ("credit", "photo-credit", "caption-source"),
    "toc": ("toc-toggle", "table-of-contents", "toc-title"),
    "updated": ("updated", "last-modified", "timestamp"),
    "related": ("related-title", "related-posts__heading", "more-stories"),
    "print_email": ("print-email", "article-tools", "utility-links"),
    "app_spam": ("app-promo", "download-banner", "promo-box"),
    "date_line": ("date", "published", "dateline"),
    "byline_counter": ("byline", "author-meta", "entry-meta"),
    "gallery": ("gallery-counter", "slide-count", "media-caption"),
    "listen": ("audio-player", "listen-button", "tts-label"),
}
_NEUTRAL_CLASSES = ("small", "meta", "info", "text-muted", "note", "block", "c-text--secondary")

# How a block is marked up: outer tag, whether it has a class, inner tag (or None).
_MARKUPS: tuple[tuple[str, bool, str | None], ...] = (
    ("p", False, None),
    ("p", True, None),
    ("div", True, None),
    ("div", True, "span"),
    ("p", False, "span"),
    ("span", True, None),
)

_AGENCIES = (
    "Reuters", "AFP", "dpa", "AP", "EFE", "ANSA", "Lusa", "ANP", "PAP", "Getty Images",
    "picture alliance", "Shutterstock", "Keystone", "Imago",
)  # fmt: skip

# Elements whose paragraphs are not the article's, even when they hold many.
_OUTSIDE_ARTICLE = frozenset({"footer", "nav", "aside", "noscript", "template"})


@dataclass(frozen=True)
class Locale:
    """How one language writes numbers, dates and names.

    Attributes:
        thousands: Thousands separator of counts.
        decimal: Decimal separator of ratings.
        months: Month names as used in a long date, January first.
        weekdays: Weekday names, Monday first.
        long_date: Format of a long date with `day`, `month` and `year` fields.
        numeric_date: Format of a numeric date with `d`, `m` and `y` fields.
        names: Person names for bylines and photo credits.
    """

    thousands: str
    decimal: str
    months: tuple[str, ...]
    weekdays: tuple[str, ...]
    long_date: str
    numeric_date: str
    names: tuple[str, ...]


LOCALES: dict[str, Locale] = {
    "en": Locale(
        ",", ".",
        ("January", "February", "March", "April", "May", "June", "July", "August", "September",
         "October", "November", "December"),
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        "{month} {day}, {year}", "{m:02d}/{d:02d}/{y}",
        ("Sarah Mitchell", "James O'Connor", "Priya Raman", "Daniel Brooks", "Emily Carter",
         "Marcus Webb"),
    ),
    "de": Locale(
        ".", ",",
        ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
         "Oktober", "November", "Dezember"),
        ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
        "{day}. {month} {year}", "{d:02d}.{m:02d}.{y}",
        ("Katrin Vogel", "Jonas Albrecht", "Miriam Hoffmann", "Lukas Brandt", "Anja Seidel",
         "Tobias Krämer"),
    ),
    "fr": Locale(
        "\u00a0", ",",
        ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
         "octobre", "novembre", "décembre"),
        ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
        "{day} {month} {year}", "{d:02d}/{m:02d}/{y}",
        ("Camille Lefèvre", "Julien Moreau", "Élodie Garnier", "Thomas Rousseau", "Inès Benali",
         "Hugo Marchand"),
    ),
    "es": Locale(
        ".", ",",
        ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
         "octubre", "noviembre", "diciembre"),
        ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
        "{day} de {month} de {year}", "{d:02d}/{m:02d}/{y}",
        ("Lucía Fernández", "Javier Ortega", "Marta Castillo", "Diego Romero", "Carmen Vidal",
         "Pablo Serrano"),
    ),
    "it": Locale(
        ".", ",",
        ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
         "settembre", "ottobre", "novembre", "dicembre"),
        ("lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica"),
        "{day} {month} {year}", "{d:02d}/{m:02d}/{y}",
        ("Giulia Ferri", "Matteo Colombo", "Chiara Esposito", "Luca Marchetti",
         "Francesca Rinaldi", "Davide Greco"),
    ),
    "pt": Locale(
        ".", ",",
        ("janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro",
         "outubro", "novembro", "dezembro"),
        ("segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira", "sábado",
         "domingo"),
        "{day} de {month} de {year}", "{d:02d}/{m:02d}/{y}",
        ("Beatriz Almeida", "João Carvalho", "Mariana Costa", "Rafael Nogueira", "Inês Tavares",
         "Tiago Moreira"),
    ),
    "nl": Locale(
        ".", ",",
        ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
         "oktober", "november", "december"),
        ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
        "{day} {month} {year}", "{d:02d}-{m:02d}-{y}",
        ("Sanne de Vries", "Bram Jansen", "Lotte Bakker", "Daan Visser", "Femke Smit",
         "Joris van Dijk"),
    ),
    "pl": Locale(
        "\u00a0", ",",
        ("stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia",
         "września", "października", "listopada", "grudnia"),
        ("poniedziałek", "wtorek", "środa", "czwartek", "piątek", "sobota", "niedziela"),
        "{day} {month} {year}", "{d:02d}.{m:02d}.{y}",
        ("Anna Kowalczyk", "Piotr Nowicki", "Magdalena Wiśniewska", "Tomasz Zieliński",
         "Karolina Mazur", "Michał Wróbel"),
    ),
}  # fmt: skip


@dataclass(frozen=True)
class PlantedPage:
    """A page with junk planted in its main container.

    Attributes:
        html: The page's HTML with the junk blocks inserted.
        junk: The exact text of each planted block, in document order.
        kinds: The kind of each block (a key of the wordings planted), parallel to `junk`.
    """

    html: str
    junk: tuple[str, ...]
    kinds: tuple[str, ...]


def normalize_whitespace(text: str) -> str:
    """Collapse every run of white space to one space and strip both ends.

    Args:
        text: Any text.

    Returns:
        The normalized text; snippet and junk matching compare normalized strings.
    """
    return _WHITESPACE.sub(" ", text).strip()


def junk_language(code: str | None) -> str:
    """Map a page's language code to a language with junk wordings.

    Args:
        code: An ISO 639-1 code, possibly with a region (`pt-BR`, `zh-cn`), or None.

    Returns:
        The code's base language if it is in `LANGUAGES`, else `"en"`.
    """
    base = (code or "").strip().lower().replace("_", "-").split("-")[0]
    return base if base in LANGUAGES else "en"


def format_count(value: int, lang: str) -> str:
    """Write a count with the language's thousands separator.

    Args:
        value: A non-negative count.
        lang: A key of `LOCALES`.

    Returns:
        The count, e.g. `12,345` in English or `12.345` in German.
    """
    return f"{value:,}".replace(",", LOCALES[lang].thousands)


def _random_date(rng: random.Random) -> dt.datetime:
    start = dt.datetime(2015, 1, 1, tzinfo=dt.UTC)
    return start + dt.timedelta(days=rng.randrange(4000), minutes=rng.randrange(24 * 60))


def placeholder_values(lang: str, rng: random.Random) -> dict[str, str]:
    """Draw a value for every placeholder a junk wording may use.

    Args:
        lang: A key of `LOCALES`.
        rng: The page's random generator.

    Returns:
        Placeholder name to text.
    """
    locale = LOCALES[lang]
    when = _random_date(rng)
    j = rng.randint(5, 40)
    return {
        "n": format_count(rng.randint(120, 98_000), lang),
        "k": str(rng.randint(2, 480)),
        "votes": format_count(rng.randint(9, 2_400), lang),
        "rating": f"{rng.randint(26, 49) / 10:.1f}".replace(".", locale.decimal),
        "min": str(rng.randint(2, 14)),
        "ss": f"{rng.randrange(60):02d}",
        "hours": str(rng.randint(2, 11)),
        "i": str(rng.randint(1, j)),
        "j": str(j),
        "name": rng.choice(locale.names),
        "agency": rng.choice(_AGENCIES),
        "date": locale.long_date.format(
            day=when.day, month=locale.months[when.month - 1], year=when.year
        ),
        "numdate": locale.numeric_date.format(d=when.day, m=when.month, y=when.year),
        "weekday": locale.weekdays[when.weekday()],
        "time": f"{when.hour:02d}:{when.minute:02d}",
    }


def junk_wording(
    kind: str, lang: str, rng: random.Random, *, wordings: Wordings | None = None
) -> str:
    """Pick one wording of a kind of junk and fill in its numbers, names and dates.

    Args:
        kind: A key of `wordings`.
        lang: A language; one without wordings falls back to English.
        rng: The page's random generator.
        wordings: Kind to language to templates; `JUNK_WORDINGS` if None.

    Returns:
        The junk text.
    """
    lang = junk_language(lang)
    templates = (JUNK_WORDINGS if wordings is None else wordings)[kind][lang]
    template = rng.choice(templates)
    return template.format(**placeholder_values(lang, rng))


def _is_new(text: str, page_text: str, chosen: Sequence[str]) -> bool:
    """Whether a junk text is absent from the page and unrelated to the junk chosen so far."""
    norm = normalize_whitespace(text)
    if not norm or norm in page_text:
        return False
    return all(norm not in other and other not in norm for other in chosen)


def choose_junk(
    lang: str,
    rng: random.Random,
    page_text: str,
    count: int,
    attempts: int = 6,
    *,
    wordings: Wordings | None = None,
) -> list[tuple[str, str]]:
    """Choose junk blocks of distinct kinds whose text does not already occur in the page.

    A wording already present in the page (a real "Advertisement" label, say) would make its
    survival unmeasurable, so such draws are skipped.

    Args:
        lang: The page's language.
        rng: The page's random generator.
        page_text: The page's whole text, whitespace-normalized.
        count: How many blocks to choose.
        attempts: Draws per kind before the kind is given up for this page.
        wordings: Kind to language to templates; `JUNK_WORDINGS` if None.

    Returns:
        Up to `count` pairs of kind and text.
    """
    wordings = JUNK_WORDINGS if wordings is None else wordings
    kinds = sorted(wordings)
    rng.shuffle(kinds)
    chosen: list[tuple[str, str]] = []
    for kind in kinds:
        if len(chosen) == count:
            break
        for _ in range(attempts):
            text = junk_wording(kind, lang, rng, wordings=wordings)
            if _is_new(text, page_text, [normalize_whitespace(t) for _, t in chosen]):
                chosen.append((kind, text))
                break
    return chosen


def _parse(html: str) -> lxml.html.HtmlElement | None:
    """Parse a whole page; None if no tree can be built."""
    if not html.strip():
        return None
    parser = lxml.html.HTMLParser(encoding="utf-8")
    try:
        return lxml.html.document_fromstring(html.encode("utf-8", "replace"), parser=parser)
    except (etree.ParserError, ValueError, UnicodeError):
        return None


def _outside_article(element: lxml.html.HtmlElement) -> bool:
    return any(
        isinstance(ancestor.tag, str) and ancestor.tag in _OUTSIDE_ARTICLE
        for ancestor in element.iterancestors()
    )


def find_container(
    root: lxml.html.HtmlElement,
) -> tuple[lxml.html.HtmlElement, list[lxml.html.HtmlElement]] | None:
    """Find the element whose child paragraphs hold the most text.

    Args:
        root: The page's root element.

    Returns:
        The container and its non-empty child `<p>` elements in document order, or None if the
        page has no paragraph with text outside footers, navigation and asides.
    """
    chars: dict[lxml.html.HtmlElement, int] = {}
    paragraphs: dict[lxml.html.HtmlElement, list[lxml.html.HtmlElement]] = {}
    for p in root.iter("p"):
        parent = p.getparent()
        text = normalize_whitespace(p.text_content())
        if parent is None or not text or _outside_article(p):
            continue
        chars[parent] = chars.get(parent, 0) + len(text)
        paragraphs.setdefault(parent, []).append(p)
    if not chars:
        return None
    best = max(chars, key=lambda parent: (chars[parent], len(paragraphs[parent])))
    return best, paragraphs[best]


def insertion_points(n_paragraphs: int, n_blocks: int, rng: random.Random) -> list[int]:
    """Choose after which paragraphs the junk blocks go.

    The first three go after the first, the middle and the last paragraph; more go after
    paragraphs drawn at random.

    Args:
        n_paragraphs: Paragraphs in the container (at least 1).
        n_blocks: Blocks to place.
        rng: The page's random generator.

    Returns:
        `n_blocks` paragraph indices, in ascending order.
    """
    last = n_paragraphs - 1
    slots = [0, last // 2, last][:n_blocks]
    slots += [rng.randrange(n_paragraphs) for _ in range(n_blocks - len(slots))]
    return sorted(slots)


def junk_element(
    kind: str, text: str, rng: random.Random, *, classes: KindClasses | None = None
) -> lxml.html.HtmlElement:
    """Build the markup of one junk block.

    Args:
        kind: The junk kind, for a fitting class name.
        text: The block's text.
        rng: The page's random generator.
        classes: Kind to the class names its markup may carry; `_KIND_CLASSES` if None.

    Returns:
        A `<p>`, `<div>` or `<span>` element, possibly with an inner `<span>`, holding `text`.
    """
    kind_classes = (_KIND_CLASSES if classes is None else classes)[kind]
    tag, has_class, inner = rng.choice(_MARKUPS)
    element = lxml.html.Element(tag)
    if has_class:
        pool = kind_classes if rng.random() < 0.5 else _NEUTRAL_CLASSES
        element.set("class", rng.choice(pool))
    if inner is None:
        element.text = text
    else:
        child = lxml.html.Element(inner)
        if not has_class:
            child.set("class", rng.choice(kind_classes))
        child.text = text
        element.append(child)
    element.tail = "\n"
    return element


def plant_junk(
    html: str,
    page_id: str,
    lang: str | None = None,
    *,
    wordings: Wordings | None = None,
    classes: KindClasses | None = None,
) -> PlantedPage | None:
    """Insert 3 to 5 junk blocks among the paragraphs of a page's main container.

    With the default wordings and classes this builds the benchmark's `planted` variant; other
    sets (such as the held-out `benchmarks.holdout_junk`) are planted with the same draws.

    Args:
        html: The page's HTML.
        page_id: The page's id; it seeds every choice, so a page always gets the same junk.
        lang: The page's language code; wordings fall back to English.
        wordings: Kind to language to templates, every kind with every language of
            `LANGUAGES`; `JUNK_WORDINGS` if None.
        classes: Kind to the class names a block of that kind may carry, for every kind of
            `wordings`; `_KIND_CLASSES` if None.

    Returns:
        The planted page, or None if the page has no paragraphs to plant junk among.
    """
    rng = random.Random(page_id)
    root = _parse(html)
    if root is None:
        return None
    found = find_container(root)
    if found is None:
        return None
    _, paragraphs = found
    page_text = normalize_whitespace(root.text_content())
    count = rng.randint(MIN_BLOCKS, MAX_BLOCKS)
    blocks = choose_junk(junk_language(lang), rng, page_text, count, wordings=wordings)
    if not blocks:
        return None
    points = insertion_points(len(paragraphs), len(blocks), rng)
    anchor, previous = paragraphs[points[0]], points[0]
    for point, (kind, text) in zip(points, blocks, strict=True):
        if point != previous:
            anchor, previous = paragraphs[point], point
        element = junk_element(kind, text, rng, classes=classes)
        anchor.addnext(element)
        anchor = element
    planted = lxml.html.tostring(root.getroottree(), encoding="unicode", method="html")
    return PlantedPage(
        html=planted,
        junk=tuple(text for _, text in blocks),
        kinds=tuple(kind for kind, _ in blocks),
    )
