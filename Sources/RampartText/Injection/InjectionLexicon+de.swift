extension InjectionLexicon {
    /// German.
    static let german = """
    INSTRUCTION_OVERRIDE 0.9 : ignoriere|ignorier|ignorieren|vergiss|vergesse|vergessen|missachte|übergehe|überspringe|verwirf|verwerfe|umgehe ~4 alle|die|deine|vorherigen|vorigen|bisherigen|obigen|früheren|vorherige|bisherige|obige|ursprünglichen|ursprüngliche|vorangegangenen|system|jede|jegliche ~3 anweisung*|instruktion*|regel*|befehl*|vorgabe*|richtlinie*|anordnung*|aufgabe*|prompt*|einschränkung*
    INSTRUCTION_OVERRIDE 0.8 : ignoriere|ignorier|vergiss|missachte ~2 alles|was ~4 gesagt|oben|vorher|zuvor|gesagt|geschrieben
    INSTRUCTION_OVERRIDE 0.75 : befolge|folge|beachte ~3 nicht ~3 anweisung*|regel*|vorgabe*
    INSTRUCTION_OVERRIDE 0.6 : neue|aktualisierte|echte|eigentliche|wahre|geheime|wichtige|dringende ~1 anweisung*|aufgabe|befehl*|instruktion*
    INSTRUCTION_OVERRIDE 0.45 : ab ~1 jetzt|sofort
    INSTRUCTION_OVERRIDE 0.45 : von ~1 nun ~1 an
    INSTRUCTION_OVERRIDE 0.45 : stattdessen ~3 sag|sage|schreibe|schreib|antworte|gib|übersetze
    INSTRUCTION_OVERRIDE 0.7 : deine ~2 neue|eigentliche|wahre|einzige|echte ~1 aufgabe|anweisung|mission|ziel ~1 ist|lautet
    INSTRUCTION_OVERRIDE 0.6 : die ~2 obigen|vorherigen|bisherigen ~2 anweisung*|regel* ~2 sind|waren|gelten ~2 ungültig|falsch|aufgehoben|veraltet|nicht
    ROLE_PLAY 0.6 : du ~1 bist ~1 jetzt|nun|ab ~4 uneingeschränkt*|ungefiltert*|unzensiert*|böse|frei|anders|neu|kein|keine|ein|eine
    ROLE_PLAY 0.3 : tu|tue|stell|verhalte|spiele|spiel ~3 als|wie|vor|rolle
    ROLE_PLAY 0.55 : ohne|keine ~2 einschränkungen|beschränkungen|filter|regeln|richtlinien|zensur|grenzen|ethik|moral
    ROLE_PLAY 0.8 : entwickler|entwicklermodus|debug|admin|gott ~1 modus ~3 aktiviert|an|aktiv|aktivieren
    PROMPT_EXTRACTION 0.8 : zeig|zeige|gib|nenne|verrate|wiederhole|drucke|schreibe|schreib|sag|sage|liste|teile|kopiere|übersetze|fasse ~4 deinen|deine|den|die|dein|ursprünglichen|versteckten|geheimen|vollständigen|ersten|initialen|system ~3 systemprompt*|prompt*|anweisung*|instruktion*|regeln|konfiguration|vorgaben|systemnachricht*
    PROMPT_EXTRACTION 0.75 : wie|was ~1 lautet|lauten|ist|sind|war ~2 dein|deine|dein ~2 systemprompt*|prompt*|anweisung*|instruktion*|regeln
    PROMPT_EXTRACTION 0.8 : wiederhole|kopiere|drucke|gib ~3 text|alles|wörter|inhalt ~2 oben|davor|vorher|darüber
    EXFILTRATION 0.6 : sende|schicke|schick|übermittle|leite|lade|poste ~6 an|zu|nach|auf ~1 http|https|www|url|adresse|server|webhook
    EXFILTRATION 0.8 : füge|hänge|bette|kodiere|packe|schreibe ~6 passwort*|gespräch*|verlauf|chat|daten|nachrichten|geheim*|schlüssel|token*|zugangsdaten ~6 url|link|bild|parameter|markdown
    """
}
