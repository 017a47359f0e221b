"""Word lists for synthetic directory extracts: French names, professions, towns and streets.

The lists are ordered from most to least frequent; the generator draws from them with a
Zipf-like weight so that common names (Martin, Bernard...) are common in the extract too.
"""

from __future__ import annotations

# fmt: off
LAST_NAMES: tuple[str, ...] = (
    "MARTIN", "BERNARD", "THOMAS", "PETIT", "ROBERT", "RICHARD", "DURAND", "DUBOIS", "MOREAU",
    "LAURENT", "SIMON", "MICHEL", "LEFÈVRE", "LEROY", "ROUX", "DAVID", "BERTRAND", "MOREL",
    "FOURNIER", "GIRARD", "BONNET", "DUPONT", "LAMBERT", "FONTAINE", "ROUSSEAU", "VINCENT",
    "MULLER", "LEFEBVRE", "FAURE", "ANDRÉ", "MERCIER", "BLANC", "GUÉRIN", "BOYER", "GARNIER",
    "CHEVALIER", "FRANÇOIS", "LEGRAND", "GAUTHIER", "GARCIA", "PERRIN", "ROBIN", "CLÉMENT",
    "MORIN", "NICOLAS", "HENRY", "ROUSSEL", "MATHIEU", "GAUTIER", "MASSON", "MARCHAND", "DUVAL",
    "DENIS", "DUMONT", "MARIE", "LEMAIRE", "NOËL", "MEYER", "DUFOUR", "MEUNIER", "BRUN",
    "BLANCHARD", "GIRAUD", "JOLY", "RIVIÈRE", "LUCAS", "BRUNET", "GAILLARD", "BARBIER", "ARNAUD",
    "MARTINEZ", "GÉRARD", "ROCHE", "RENARD", "SCHMITT", "ROY", "LEROUX", "COLIN", "VIDAL",
    "CARON", "PICARD", "ROGER", "FABRE", "AUBERT", "LEMOINE", "RENAUD", "DUMAS", "LACROIX",
    "OLIVIER", "PHILIPPE", "BOURGEOIS", "PIERRE", "BENOÎT", "REY", "LECLERC", "PAYET", "ROLLAND",
    "LECLERCQ", "GUILLAUME", "LECOMTE", "LOPEZ", "JEAN", "DUPUY", "GUILLOT", "HUBERT", "BERGER",
    "CARPENTIER", "SANCHEZ", "DUPUIS", "MOULIN", "LOUIS", "DESCHAMPS", "HUET", "VASSEUR",
    "PEREZ", "BOUCHER", "FLEURY", "ROYER", "KLEIN", "JACQUET", "ADAM", "PARIS", "POIRIER",
    "MARTY", "AUBRY", "GUYOT", "CARRÉ", "CHARLES", "RENAULT", "CHARPENTIER", "MÉNARD",
    "MAILLARD", "BARON", "BERTIN", "BAILLY", "HERVÉ", "SCHNEIDER", "FERNANDEZ", "LE GALL",
    "COLLET", "LÉGER", "BOUVIER", "JULIEN", "PRÉVOST", "MILLET", "PERROT", "DANIEL", "LE ROUX",
    "COUSIN", "GERMAIN", "BRETON", "BESSON", "LANGLOIS", "RÉMY", "LE GOFF", "PELLETIER",
    "LÉVÊQUE", "PERRIER", "LEBLANC", "BARRÉ", "LEBRUN", "MARCHAL", "WEBER", "MALLET", "HAMON",
    "BOULANGER", "JACOB", "MONNIER", "MICHAUD", "RODRIGUEZ", "GUICHARD", "GILLET", "ÉTIENNE",
    "GRONDIN", "POULAIN", "TESSIER", "CHEVALLIER", "COLLIN", "CHAUVIN", "DA SILVA", "BOUCHET",
    "GAY", "LEMAÎTRE", "BÉNARD", "MARÉCHAL", "HUMBERT", "REYNAUD", "ANTOINE", "HOARAU", "PERRET",
    "BARTHÉLEMY", "CORDIER", "PICHON", "LEJEUNE", "GILBERT", "LAMY", "DELAUNAY", "PASQUIER",
    "CARLIER", "LAPORTE", "NGUYEN", "DIALLO", "HADDAD", "TRAN", "BENALI", "D'ALMEIDA",
    "DE LA FONTAINE", "DE SOUSA", "N'DIAYE", "O'NEILL", "MARTIN-DUPONT", "DU PONT",
    "LE BIHAN", "BEN SALAH", "DES ROCHES", "SAINT-JUST", "L'HÔTE", "DELACROIX", "BÉRANGER",
    "CHÂTELAIN", "CÔTÉ", "FRÉMONT", "GÂTINEAU", "HÉBERT", "JOUBERT", "LAFFITTE", "MÉRIAUX",
    "PAGÈS", "QUÉMÉNEUR", "SÉGUIN", "THÉVENIN", "VALLÉE", "WAGNER", "ZIMMERMANN", "YILMAZ",
)

# The long tail of rarer last names is built from these parts ("BEAU" + "R" + "AUD"), so that a
# common name is as rare in the extract as in France (Martin, the first, is under 1 %).
TAIL_STARTS: tuple[str, ...] = (
    "BEAU", "BOUR", "CHA", "CHAM", "DE", "DU", "FOU", "GAR", "GIR", "GRAND", "LA", "LAN", "LE",
    "MAR", "MON", "MOR", "PER", "PI", "RI", "ROU", "SAIN", "VAL", "VIL", "BER", "BON", "BRU",
    "CAR", "COU", "FER", "GAU", "GUI", "HAR", "JAC", "LAU", "MAS", "MEU", "NO", "PAS", "POU",
    "QUEN", "RA", "RE", "SAU", "TAR", "TEIS", "VER", "BÉ", "CHÂ", "FÉ", "GÉ", "LÉ", "MÉ", "PÉ",
    "RÉ", "THÉ", "KER", "ETCHE",
)
TAIL_MIDDLES: tuple[str, ...] = (
    "", "", "", "R", "L", "N", "CH", "GN", "T", "S", "V", "D", "LL", "RR", "SS",
)
TAIL_ENDS: tuple[str, ...] = (
    "ARD", "AUD", "EAU", "ET", "IER", "IN", "OT", "OUX", "AULT", "ERT", "ON", "AND", "Y", "ÈRE",
    "EL", "ELLE", "ENS", "IAS", "ILLE", "OIS", "ONNET", "OUIN", "ARET", "ELIN", "ENOT", "EUX",
    "ICHE", "IGNY", "OUSSE", "ÈS", "AC", "ANT", "AS", "É", "EUIL", "IÈRE", "OLLE", "URE", "ASSE",
    "IOT",
)

FEMALE_FIRST_NAMES: tuple[str, ...] = (
    "MARIE", "NATHALIE", "ISABELLE", "SYLVIE", "CATHERINE", "FRANÇOISE", "VALÉRIE", "SANDRINE",
    "CÉLINE", "STÉPHANIE", "AURÉLIE", "ÉMILIE", "JULIE", "CAMILLE", "LÉA", "MANON", "CHLOÉ",
    "SARAH", "LAURA", "PAULINE", "MARION", "ANNE", "CHRISTINE", "MARTINE", "HÉLÈNE",
    "VÉRONIQUE", "ÉLODIE", "CAROLINE", "AGNÈS", "BÉATRICE", "CLAIRE", "MARIE-CLAIRE",
    "MARIE-HÉLÈNE", "ANNE-SOPHIE", "NOÉMIE", "CLÉMENCE", "ZOÉ", "INÈS", "CHANTAL", "MONIQUE",
    "BRIGITTE", "DOMINIQUE", "PASCALE", "FLORENCE", "SOPHIE", "AMÉLIE", "ÉLISE", "MAËLLE",
    "GAËLLE", "FATIMA", "YASMINE", "MÉLANIE", "AUDREY", "CORINNE", "KARINE", "LAETITIA",
    "SÉVERINE", "MURIEL", "ODILE", "GENEVIÈVE",
)

MALE_FIRST_NAMES: tuple[str, ...] = (
    "JEAN", "PIERRE", "PHILIPPE", "MICHEL", "ALAIN", "PATRICK", "NICOLAS", "CHRISTOPHE",
    "STÉPHANE", "SÉBASTIEN", "JULIEN", "DAVID", "LAURENT", "FRÉDÉRIC", "ÉRIC", "OLIVIER",
    "THIERRY", "JEAN-FRANÇOIS", "JEAN-PIERRE", "JEAN-LUC", "JÉRÔME", "FRANÇOIS", "LOUIS", "HUGO",
    "THÉO", "LUCAS", "ANTOINE", "MAXIME", "THOMAS", "ALEXANDRE", "GUILLAUME", "BENOÎT",
    "MATHIEU", "CÉDRIC", "FABRICE", "GÉRARD", "BERNARD", "DANIEL", "YVES", "RENÉ", "JOËL",
    "NOËL", "RAPHAËL", "MICKAËL", "KARIM", "MOHAMED", "BRUNO", "DIDIER", "EMMANUEL", "FRANCK",
    "GILLES", "HERVÉ", "JACQUES", "LOÏC", "MARC", "PASCAL", "RÉMI", "SAMUEL", "VINCENT", "YANN",
)

# fmt: on

# (code, label, share of lines in per mille, savoir-faire choices as (type code, type label,
# code, label) or empty, registration authority)
PROFESSIONS: tuple[tuple[str, str, int, tuple[tuple[str, str, str, str], ...], str], ...] = (
    (
        "60",
        "Infirmier",
        300,
        (),
        "ONI/ONI/ONI",
    ),
    (
        "10",
        "Médecin",
        270,
        (
            ("S", "Spécialité ordinale", "SM54", "Médecine générale"),
            ("S", "Spécialité ordinale", "SM54", "Médecine générale"),
            ("S", "Spécialité ordinale", "SM54", "Médecine générale"),
            ("S", "Spécialité ordinale", "SM04", "Cardiologie et maladies vasculaires"),
            ("S", "Spécialité ordinale", "SM40", "Pédiatrie"),
            ("S", "Spécialité ordinale", "SM42", "Psychiatrie"),
            ("S", "Spécialité ordinale", "SM92", "Gériatrie"),
            ("S", "Spécialité ordinale", "SM15", "Endocrinologie-diabétologie-nutrition"),
            ("S", "Spécialité ordinale", "SM32", "Neurologie"),
            ("S", "Spécialité ordinale", "SM10", "Dermatologie et vénéréologie"),
            ("S", "Spécialité ordinale", "SM38", "Ophtalmologie"),
            ("S", "Spécialité ordinale", "SM44", "Rhumatologie"),
            ("S", "Spécialité ordinale", "SM41", "Pneumologie"),
            ("S", "Spécialité ordinale", "SM30", "Médecine physique et de réadaptation"),
            ("S", "Spécialité ordinale", "SM79", "Oncologie médicale"),
            ("S", "Spécialité ordinale", "SM20", "Gynécologie médicale"),
        ),
        "CNOM/CNOM/CNOM",
    ),
    ("21", "Pharmacien", 120, (), "CNOP/CNOP/CNOP"),
    ("70", "Masseur-kinésithérapeute", 100, (), "CNOMK/CNOMK/CNOMK"),
    (
        "40",
        "Chirurgien-dentiste",
        50,
        (
            ("S", "Spécialité ordinale", "SCD01", "Orthopédie dento-faciale"),
            ("S", "Spécialité ordinale", "SCD02", "Chirurgie orale"),
        ),
        "CNOCD/CNOCD/CNOCD",
    ),
    ("50", "Sage-femme", 30, (), "CNOSF/CNOSF/CNOSF"),
    ("91", "Orthophoniste", 30, (), "ARS/ARS/ARS"),
    ("80", "Pédicure-podologue", 20, (), "CNOPP/CNOPP/CNOPP"),
    ("92", "Orthoptiste", 10, (), "ARS/ARS/ARS"),
    ("94", "Ergothérapeute", 20, (), "ARS/ARS/ARS"),
    ("96", "Psychomotricien", 15, (), "ARS/ARS/ARS"),
    ("98", "Diététicien", 15, (), "ARS/ARS/ARS"),
    ("26", "Audioprothésiste", 5, (), "ARS/ARS/ARS"),
    ("28", "Opticien-lunetier", 15, (), "ARS/ARS/ARS"),
)

# (commune label, commune code, postcode, département code, département label, weight)
TOWNS: tuple[tuple[str, str, str, str, str, int], ...] = (
    *(
        (
            f"Paris {n}{'er' if n == 1 else 'e'} Arrondissement",
            f"751{n:02d}",
            f"750{n:02d}",
            "75",
            "Paris",
            12,
        )
        for n in range(1, 21)
    ),
    *(
        (
            f"Lyon {n}{'er' if n == 1 else 'e'} Arrondissement",
            f"6938{n}",
            f"6900{n}",
            "69",
            "Rhône",
            8,
        )
        for n in range(1, 10)
    ),
    *(
        (
            f"Marseille {n}{'er' if n == 1 else 'e'} Arrondissement",
            f"132{n:02d}",
            f"130{n:02d}",
            "13",
            "Bouches-du-Rhône",
            5,
        )
        for n in range(1, 17)
    ),
    ("Toulouse", "31555", "31000", "31", "Haute-Garonne", 50),
    ("Nice", "06088", "06000", "06", "Alpes-Maritimes", 35),
    ("Nantes", "44109", "44000", "44", "Loire-Atlantique", 32),
    ("Montpellier", "34172", "34000", "34", "Hérault", 30),
    ("Strasbourg", "67482", "67000", "67", "Bas-Rhin", 30),
    ("Bordeaux", "33063", "33000", "33", "Gironde", 28),
    ("Lille", "59350", "59000", "59", "Nord", 25),
    ("Rennes", "35238", "35000", "35", "Ille-et-Vilaine", 22),
    ("Reims", "51454", "51100", "51", "Marne", 18),
    ("Toulon", "83137", "83000", "83", "Var", 17),
    ("Saint-Étienne", "42218", "42000", "42", "Loire", 17),
    ("Le Havre", "76351", "76600", "76", "Seine-Maritime", 17),
    ("Grenoble", "38185", "38000", "38", "Isère", 16),
    ("Dijon", "21231", "21000", "21", "Côte-d'Or", 16),
    ("Angers", "49007", "49000", "49", "Maine-et-Loire", 15),
    ("Nîmes", "30189", "30000", "30", "Gard", 15),
    ("Villeurbanne", "69266", "69100", "69", "Rhône", 15),
    ("Clermont-Ferrand", "63113", "63000", "63", "Puy-de-Dôme", 14),
    ("Le Mans", "72181", "72000", "72", "Sarthe", 14),
    ("Aix-en-Provence", "13001", "13090", "13", "Bouches-du-Rhône", 14),
    ("Brest", "29019", "29200", "29", "Finistère", 14),
    ("Tours", "37261", "37000", "37", "Indre-et-Loire", 14),
    ("Amiens", "80021", "80000", "80", "Somme", 13),
    ("Limoges", "87085", "87000", "87", "Haute-Vienne", 13),
    ("Annecy", "74010", "74000", "74", "Haute-Savoie", 13),
    ("Perpignan", "66136", "66000", "66", "Pyrénées-Orientales", 12),
    ("Boulogne-Billancourt", "92012", "92100", "92", "Hauts-de-Seine", 12),
    ("Metz", "57463", "57000", "57", "Moselle", 12),
    ("Besançon", "25056", "25000", "25", "Doubs", 12),
    ("Orléans", "45234", "45000", "45", "Loiret", 12),
    ("Saint-Denis", "97411", "97400", "974", "La Réunion", 12),
    ("Rouen", "76540", "76000", "76", "Seine-Maritime", 11),
    ("Mulhouse", "68224", "68100", "68", "Haut-Rhin", 11),
    ("Caen", "14118", "14000", "14", "Calvados", 11),
    ("Nancy", "54395", "54000", "54", "Meurthe-et-Moselle", 11),
    ("Argenteuil", "95018", "95100", "95", "Val-d'Oise", 10),
    ("Montreuil", "93048", "93100", "93", "Seine-Saint-Denis", 10),
    ("Roubaix", "59512", "59100", "59", "Nord", 10),
    ("Tourcoing", "59599", "59200", "59", "Nord", 9),
    ("Avignon", "84007", "84000", "84", "Vaucluse", 9),
    ("Poitiers", "86194", "86000", "86", "Vienne", 9),
    ("Pau", "64445", "64000", "64", "Pyrénées-Atlantiques", 8),
    ("La Rochelle", "17300", "17000", "17", "Charente-Maritime", 8),
    ("Quimper", "29232", "29000", "29", "Finistère", 7),
    ("Vannes", "56260", "56000", "56", "Morbihan", 7),
    ("Lorient", "56121", "56100", "56", "Morbihan", 6),
    ("Bayonne", "64102", "64100", "64", "Pyrénées-Atlantiques", 6),
    ("Ajaccio", "2A004", "20000", "2A", "Corse-du-Sud", 6),
    ("Bastia", "2B033", "20200", "2B", "Haute-Corse", 5),
    ("Chambéry", "73065", "73000", "73", "Savoie", 6),
    ("Valence", "26362", "26000", "26", "Drôme", 6),
    ("Troyes", "10387", "10000", "10", "Aube", 6),
    ("Niort", "79191", "79000", "79", "Deux-Sèvres", 6),
    ("Colmar", "68066", "68000", "68", "Haut-Rhin", 6),
    ("Beauvais", "60057", "60000", "60", "Oise", 5),
    ("Cherbourg-en-Cotentin", "50129", "50100", "50", "Manche", 5),
    ("Saint-Malo", "35288", "35400", "35", "Ille-et-Vilaine", 5),
    ("Béziers", "34032", "34500", "34", "Hérault", 6),
    ("Cannes", "06029", "06400", "06", "Alpes-Maritimes", 6),
    ("Antibes", "06004", "06600", "06", "Alpes-Maritimes", 6),
    ("Saint-Nazaire", "44184", "44600", "44", "Loire-Atlantique", 5),
    ("Blois", "41018", "41000", "41", "Loir-et-Cher", 5),
    ("Chartres", "28085", "28000", "28", "Eure-et-Loir", 5),
    ("Bourges", "18033", "18000", "18", "Cher", 5),
    ("Angoulême", "16015", "16000", "16", "Charente", 5),
    ("Agen", "47001", "47000", "47", "Lot-et-Garonne", 4),
    ("Albi", "81004", "81000", "81", "Tarn", 4),
    ("Montauban", "82121", "82000", "82", "Tarn-et-Garonne", 4),
    ("Périgueux", "24322", "24000", "24", "Dordogne", 4),
    ("Brive-la-Gaillarde", "19031", "19100", "19", "Corrèze", 4),
    ("Carcassonne", "11069", "11000", "11", "Aude", 4),
    ("Gap", "05061", "05000", "05", "Hautes-Alpes", 3),
    ("Épinal", "88160", "88000", "88", "Vosges", 3),
    ("Laval", "53130", "53000", "53", "Mayenne", 4),
    ("Évreux", "27229", "27000", "27", "Eure", 4),
    ("Châteauroux", "36044", "36000", "36", "Indre", 3),
    ("Nevers", "58194", "58000", "58", "Nièvre", 3),
    ("Mâcon", "71270", "71000", "71", "Saône-et-Loire", 3),
    ("Auxerre", "89024", "89000", "89", "Yonne", 3),
    ("Saint-Brieuc", "22278", "22000", "22", "Côtes-d'Armor", 4),
    ("Lens", "62498", "62300", "62", "Pas-de-Calais", 4),
    ("Arras", "62041", "62000", "62", "Pas-de-Calais", 4),
    ("Dunkerque", "59183", "59140", "59", "Nord", 5),
    ("Calais", "62193", "62100", "62", "Pas-de-Calais", 4),
    ("Fort-de-France", "97209", "97200", "972", "Martinique", 5),
    ("Pointe-à-Pitre", "97120", "97110", "971", "Guadeloupe", 3),
    ("Cayenne", "97302", "97300", "973", "Guyane", 3),
    ("Versailles", "78646", "78000", "78", "Yvelines", 8),
    ("Nanterre", "92050", "92000", "92", "Hauts-de-Seine", 7),
    ("Créteil", "94028", "94000", "94", "Val-de-Marne", 7),
    ("Vitry-sur-Seine", "94081", "94400", "94", "Val-de-Marne", 6),
    ("Saint-Denis", "93066", "93200", "93", "Seine-Saint-Denis", 7),
    ("Aubervilliers", "93001", "93300", "93", "Seine-Saint-Denis", 5),
    ("Ivry-sur-Seine", "94041", "94200", "94", "Val-de-Marne", 4),
    ("L'Haÿ-les-Roses", "94038", "94240", "94", "Val-de-Marne", 3),
    ("Le Puy-en-Velay", "43157", "43000", "43", "Haute-Loire", 2),
    ("Saint-Jean-de-Luz", "64483", "64500", "64", "Pyrénées-Atlantiques", 2),
    ("Montluçon", "03185", "03100", "03", "Allier", 3),
    ("Aurillac", "15014", "15000", "15", "Cantal", 2),
    ("Rodez", "12202", "12000", "12", "Aveyron", 2),
    ("Mende", "48095", "48000", "48", "Lozère", 1),
    ("Guéret", "23096", "23000", "23", "Creuse", 1),
    ("Foix", "09122", "09000", "09", "Ariège", 1),
    ("Digne-les-Bains", "04070", "04000", "04", "Alpes-de-Haute-Provence", 1),
    ("Privas", "07186", "07000", "07", "Ardèche", 1),
    ("Lons-le-Saunier", "39300", "39000", "39", "Jura", 1),
)

STREET_TYPES: tuple[tuple[str, str], ...] = (
    ("R", "Rue"),
    ("R", "Rue"),
    ("R", "Rue"),
    ("AV", "Avenue"),
    ("AV", "Avenue"),
    ("BD", "Boulevard"),
    ("PL", "Place"),
    ("CHE", "Chemin"),
    ("ALL", "Allée"),
    ("IMP", "Impasse"),
    ("RTE", "Route"),
    ("QUAI", "Quai"),
    ("CRS", "Cours"),
)

# fmt: off
STREETS: tuple[str, ...] = (
    "DE LA RÉPUBLIQUE", "VICTOR HUGO", "JEAN JAURÈS", "DU GÉNÉRAL DE GAULLE", "PASTEUR",
    "DES LILAS", "DE LA GARE", "DU MARÉCHAL FOCH", "GAMBETTA", "DE LA LIBÉRATION",
    "JULES FERRY", "DU 8 MAI 1945", "DES ÉCOLES", "DE L'ÉGLISE", "SAINT-MICHEL", "DU MOULIN",
    "CARNOT", "DE LA PAIX", "ÉMILE ZOLA", "DES TILLEULS", "DU CHÂTEAU", "NATIONALE",
    "DE VERDUN", "DES ACACIAS", "LÉON BLUM", "DU STADE", "ARISTIDE BRIAND", "DE LA MAIRIE",
    "DES PEUPLIERS", "PIERRE ET MARIE CURIE", "DU PORT", "DE BRETAGNE", "CLEMENCEAU",
    "DES ROSIERS", "DE LA FONTAINE", "SADI CARNOT", "DE PARIS", "DES MARRONNIERS",
)

# fmt: on

ORGANISATION_PATTERNS: dict[str, tuple[str, ...]] = {
    "L": (
        "CABINET {last}",
        "CABINET MEDICAL {street}",
        "SCM {last} {other}",
        "MAISON DE SANTE PLURIPROFESSIONNELLE DE {town}",
        "CENTRE DE SANTE {street}",
        "SELARL {last}",
    ),
    "S": (
        "CENTRE HOSPITALIER DE {town}",
        "CHU DE {town}",
        "CLINIQUE {street}",
        "EHPAD LES {saint}",
        "CENTRE DE SOINS INFIRMIERS DE {town}",
        "HOPITAL PRIVE DE {town}",
    ),
    "21": (
        "PHARMACIE DU CENTRE",
        "PHARMACIE {last}",
        "PHARMACIE DE LA GARE",
        "PHARMACIE {street}",
        "GRANDE PHARMACIE DE {town}",
    ),
}

SECTORS: dict[str, tuple[str, str]] = {
    "L": ("SA07", "Cabinet individuel"),
    "G": ("SA08", "Cabinet de groupe"),
    "S": ("SA01", "Etablissement public de santé"),
    "P": ("SA02", "Etablissement privé"),
    "21": ("SA33", "Pharmacie d'officine"),
}

EHPAD_NAMES: tuple[str, ...] = ("GLYCINES", "CHARMILLES", "OLIVIERS", "TERRASSES", "JARDINS")
EMAIL_DOMAINS: tuple[str, ...] = ("orange.fr", "wanadoo.fr", "gmail.com", "free.fr", "sfr.fr")
