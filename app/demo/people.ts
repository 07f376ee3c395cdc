// The demo shop's customers as data: names by language, countries with their cities and Shopify
// province codes, email domains and marketing-consent shares. Used by app/demo/generator.ts.
import type { MarketingState } from "../domain/rows";

export type Place = { city: string; province: string | null; weight: number };
export type Country = { code: string; weight: number; names: number; places: Place[] };

function places(list: string): Place[] {
  // "City|PROV|weight; ..." keeps the tables below readable.
  return list.split(";").map((entry) => {
    const [city = "", province = "", weight = "1"] = entry.split("|").map((s) => s.trim());
    return { city, province: province === "" ? null : province, weight: Number(weight) };
  });
}

// Name lists by language, referred to by index from COUNTRIES.
export const EN = 0;
export const DE = 1;
export const FR = 2;
export const NL = 3;
export const ES = 4;
export const IT = 5;
export const JA = 6;
export const SV = 7;
// prettier-ignore
export const FIRST_NAMES: readonly (readonly string[])[] = [
  ["James", "Mary", "Olivia", "Liam", "Emma", "Noah", "Ava", "Ethan", "Sophia", "Mason", "Isabella", "Lucas", "Mia", "Jack", "Charlotte", "Henry", "Amelia", "Owen", "Harper", "Leo", "Grace", "Daniel", "Chloe", "Samuel", "Zoe", "Aiden", "Priya", "Wei", "Fatima", "Diego"],
  ["Lukas", "Anna", "Finn", "Lena", "Jonas", "Marie", "Felix", "Sophie", "Paul", "Hannah", "Max", "Leonie", "Jürgen", "Katrin"],
  ["Louis", "Camille", "Gabriel", "Léa", "Hugo", "Chloé", "Arthur", "Manon", "Jules", "Inès", "Théo", "Juliette", "Mathis", "Élodie"],
  ["Daan", "Emma", "Sem", "Julia", "Lucas", "Tess", "Levi", "Sanne", "Bram", "Fleur", "Thijs", "Anouk"],
  ["Hugo", "Lucía", "Martín", "Sofía", "Pablo", "María", "Álvaro", "Carmen", "Javier", "Elena", "Diego", "Paula"],
  ["Leonardo", "Giulia", "Francesco", "Sofia", "Alessandro", "Aurora", "Lorenzo", "Chiara", "Matteo", "Martina", "Marco", "Elena"],
  ["Haruto", "Yui", "Sota", "Hina", "Ren", "Aoi", "Yuto", "Sakura", "Kenji", "Yuki", "Takumi", "Mei"],
  ["Erik", "Elsa", "Oskar", "Maja", "Lars", "Astrid", "Nils", "Ingrid", "Axel", "Saga", "Björn", "Linnea"],
];
// prettier-ignore
export const LAST_NAMES: readonly (readonly string[])[] = [
  ["Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Garcia", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Martin", "Jackson", "Lee", "Thompson", "White", "Harris", "Clark", "Lewis", "Walker", "Young", "King", "Wright", "Nguyen", "Patel", "Kim", "O'Brien", "Murphy"],
  ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Koch", "Richter", "Wolf", "Krüger"],
  ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Girard"],
  ["de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "Bos"],
  ["García", "Rodríguez", "González", "Fernández", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Martín", "Jiménez", "Ruiz"],
  ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Gallo"],
  ["Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi", "Kato", "Yoshida", "Yamada"],
  ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson", "Svensson", "Gustafsson", "Lindberg", "Holm"],
];

/** ASCII local-part of an email address for a name: "Lefèvre" -> "lefevre", "de Jong" -> "dejong". */
function emailPart(name: string): string {
  return name
    .replace(/ß/g, "ss")
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "");
}
// Computed once: normalize() in the per-customer loop would cost a million calls per run.
export const FIRST_EMAIL = FIRST_NAMES.map((names) => names.map(emailPart));
export const LAST_EMAIL = LAST_NAMES.map((names) => names.map(emailPart));

// Shopify province codes (ISO 3166-2 without the country prefix, JP keeps "JP-"); countries where
// Shopify keeps no province have null.
// prettier-ignore
export const COUNTRIES: readonly Country[] = [
  {
    code: "US",
    weight: 55,
    names: EN,
    places: places(
      "New York|NY|9; Brooklyn|NY|6; Buffalo|NY|1; Los Angeles|CA|5; San Francisco|CA|4; San Diego|CA|2; Oakland|CA|1.5; " +
        "Austin|TX|3; Houston|TX|2; Dallas|TX|2; Seattle|WA|4; Spokane|WA|0.5; Chicago|IL|4; Boston|MA|3; Cambridge|MA|1; " +
        "Portland|OR|3; Denver|CO|2; Boulder|CO|1; Miami|FL|2; Tampa|FL|1; Orlando|FL|1; Atlanta|GA|2; Philadelphia|PA|2.5; " +
        "Pittsburgh|PA|1; Jersey City|NJ|1.5; Hoboken|NJ|1; Minneapolis|MN|1.5; Charlotte|NC|1; Raleigh|NC|1; Detroit|MI|1; " +
        "Ann Arbor|MI|0.5; Richmond|VA|1; Arlington|VA|1; Phoenix|AZ|1.5; Columbus|OH|1; Cleveland|OH|0.8; Washington|DC|2; " +
        "Nashville|TN|1.2; Salt Lake City|UT|0.8",
    ),
  },
  {
    code: "CA",
    weight: 9,
    names: EN,
    places: places(
      "Toronto|ON|5; Ottawa|ON|1.5; Vancouver|BC|4; Victoria|BC|1; Montréal|QC|3; Québec City|QC|1; Calgary|AB|1.5; " +
        "Edmonton|AB|1; Halifax|NS|0.7; Winnipeg|MB|0.7",
    ),
  },
  {
    code: "GB",
    weight: 10,
    names: EN,
    places: places("London||8; Manchester||2; Edinburgh||1.5; Bristol||1.5; Leeds||1; Glasgow||1; Birmingham||1.5; Brighton||1"),
  },
  { code: "DE", weight: 6, names: DE, places: places("Berlin||4; Hamburg||2; München||2.5; Köln||1.5; Frankfurt am Main||1.5; Leipzig||1") },
  { code: "FR", weight: 4, names: FR, places: places("Paris||5; Lyon||1.5; Marseille||1; Bordeaux||1; Lille||0.8; Nantes||0.8") },
  {
    code: "AU",
    weight: 5,
    names: EN,
    places: places("Sydney|NSW|4; Melbourne|VIC|4; Brisbane|QLD|2; Perth|WA|1.5; Adelaide|SA|1; Canberra|ACT|0.6"),
  },
  { code: "NL", weight: 3, names: NL, places: places("Amsterdam||4; Rotterdam||2; Utrecht||1.5; Den Haag||1.2; Eindhoven||0.8") },
  { code: "IE", weight: 1.5, names: EN, places: places("Dublin|D|4; Cork|CO|1; Galway|G|0.7") },
  { code: "SE", weight: 1.5, names: SV, places: places("Stockholm||3; Göteborg||1.5; Malmö||1") },
  { code: "JP", weight: 1.5, names: JA, places: places("Tokyo|JP-13|4; Osaka|JP-27|2; Kyoto|JP-26|1") },
  { code: "ES", weight: 1.5, names: ES, places: places("Madrid|M|3; Barcelona|B|3; Valencia|V|1") },
  { code: "IT", weight: 1.5, names: IT, places: places("Milano|MI|3; Roma|RM|3; Torino|TO|1") },
  { code: "NZ", weight: 1, names: EN, places: places("Auckland|AUK|3; Wellington|WGN|1.5; Christchurch|CAN|1") },
];
export const COUNTRY_WEIGHTS = COUNTRIES.map((c) => c.weight);
export const PLACE_WEIGHTS = COUNTRIES.map((c) => c.places.map((p) => p.weight));
export const CANADA_FRENCH_PROVINCE = "QC";

export const EMAIL_DOMAINS = ["example.com", "example.org", "mail.example.net"] as const;
export const EMAIL_DOMAIN_WEIGHTS = [0.6, 0.25, 0.15];

export const EMAIL_STATES: readonly MarketingState[] = ["SUBSCRIBED", "NOT_SUBSCRIBED", "UNSUBSCRIBED", "PENDING"];
// Prospects mostly came in through the newsletter form, so more of them are subscribed.
export const EMAIL_WEIGHTS_BUYER = [0.43, 0.4, 0.14, 0.03];
export const EMAIL_WEIGHTS_PROSPECT = [0.55, 0.3, 0.1, 0.05];
export const SMS_STATES: readonly MarketingState[] = ["SUBSCRIBED", "NOT_SUBSCRIBED", "UNSUBSCRIBED"];
export const SMS_WEIGHTS = [0.15, 0.815, 0.035];
