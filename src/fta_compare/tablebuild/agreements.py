# ruff: noqa: E501  (long citation strings are kept on one line for grep-ability)
"""Trade agreements of the default tables: members, entry into force, schedule style.

No data file: membership and entry-into-force years from the agreement texts as listed by DESTA
(Dür, Baccini & Elsig 2014; shared ``agreement_depth/``) and the World Bank DTA 2.0 toolkit
(shared ``wb_deep_trade_agreements/``), cited per row; agreements after DESTA's coverage (2020)
cite the parties' announcements. Members are ISO3 codes or the EU bloc ``EUN``; members outside
the universe (e.g. BRN, PHL) simply stay inside ROW.

Per agreement: ``style`` picks the sensitive list its imputed sides keep at MFN (``rcep``:
Japan's RCEP list, ``cptpp``: Japan's CPTPP list; Korea's sides of the western-style agreements
exclude rice only, see ``prefs.py``); ``staging`` (first year, number of linear annual steps) of
the imputed sides (default: in force before 2019 -> fully phased in by 2026, later -> 10 linear
steps from the year in force). Hypothetical agreements have ``in_force`` None.
"""

from __future__ import annotations

from dataclasses import dataclass

from .universe import ASEAN, CPTPP_MEMBERS, RCEP_MEMBERS

RECENT = 2019  # agreements in force from this year on are still staging in 2026 (10 steps)


@dataclass(frozen=True)
class Agreement:
    code: str
    members: list[str]
    in_force: int | None
    description: str
    source: str
    style: str = "cptpp"  # sensitive list of the imputed sides: "cptpp" or "rcep"
    staging: tuple[int, int] | None = None  # imputed sides: (first year, linear steps)

    def steps(self) -> tuple[int, int] | None:
        """(first year, steps) of the imputed sides; None = fully phased in by 2026."""
        if self.staging is not None:
            return self.staging
        if self.in_force is not None and self.in_force >= RECENT:
            return (self.in_force, 10)
        return None


D = "DESTA treaty list (agreement_depth/desta_list_of_treaties_with_members.csv)"
T = "DTA 2.0 toolkit (wb_deep_trade_agreements/)"


def _a(code: str, members: list[str], year: int | None, desc: str, src: str = D, style: str = "cptpp",
       staging: tuple[int, int] | None = None) -> Agreement:
    return Agreement(code, sorted(members), year, desc, src, style, staging)


AGREEMENTS: list[Agreement] = [
    # ---- Korea
    _a("KORUS", ["KOR", "USA"], 2012, "Korea-United States FTA (March 2012, amended 2019).", "USITC HTS 2025 special program 'KR'; WB horizontal depth"),
    _a("KOR_CHN", ["CHN", "KOR"], 2015, "Korea-China FTA (Dec 2015; 20-year staging).", T + " (China - Korea, Republic of)", "rcep", (2015, 20)),
    _a("KOR_AUS", ["AUS", "KOR"], 2014, "Korea-Australia FTA (KAFTA, Dec 2014).", "WB horizontal depth"),
    _a("KOR_CAN", ["CAN", "KOR"], 2015, "Canada-Korea FTA (CKFTA, Jan 2015).", "WB horizontal depth"),
    _a("KOR_GBR", ["GBR", "KOR"], 2021, "UK-Korea FTA (Jan 2021, rolls over the EU-Korea FTA of 2011).", T + " (United Kingdom - Korea, Republic of)", staging=(2011, 10)),
    _a("KOR_EU", ["EUN", "KOR"], 2011, "EU-Korea FTA (provisionally applied July 2011).", D + " no. 815"),
    _a("KOR_NZL", ["KOR", "NZL"], 2015, "Korea-New Zealand FTA (Dec 2015).", D + " no. 912"),
    _a("KOR_CHL", ["CHL", "KOR"], 2004, "Korea-Chile FTA (April 2004).", D + " no. 208"),
    _a("KOR_PER", ["KOR", "PER"], 2011, "Korea-Peru FTA (Aug 2011).", D + " no. 830"),
    _a("KOR_IND", ["IND", "KOR"], 2010, "Korea-India CEPA (Jan 2010).", D + " no. 489", "rcep"),
    _a("KOR_ASEAN", ["KOR", *ASEAN], 2007, "ASEAN-Korea FTA, trade in goods (2007; Thailand 2010).", D + " no. 72", "rcep"),
    _a("KOR_VNM", ["KOR", "VNM"], 2015, "Korea-Viet Nam FTA (Dec 2015).", D + " no. 913", "rcep"),
    _a("KOR_SGP", ["KOR", "SGP"], 2006, "Korea-Singapore FTA (March 2006).", D + " no. 550"),
    _a("KOR_IDN", ["IDN", "KOR"], 2023, "Korea-Indonesia CEPA (Jan 2023).", "Korea MOTIE / Indonesia MOT announcements (after DESTA's coverage)", "rcep"),
    # ---- China
    _a("CHN_AUS", ["AUS", "CHN"], 2015, "China-Australia FTA (ChAFTA, Dec 2015).", T + " (Australia - China)", "rcep"),
    _a("CHN_ASEAN", ["CHN", *ASEAN], 2005, "ASEAN-China FTA, trade in goods (2005; normal track complete 2010).", D + " no. 67", "rcep"),
    _a("CHN_CHL", ["CHL", "CHN"], 2006, "China-Chile FTA (Oct 2006).", D + " no. 199", "rcep"),
    _a("CHN_PER", ["CHN", "PER"], 2010, "China-Peru FTA (March 2010).", D + " no. 227", "rcep"),
    _a("CHN_NZL", ["CHN", "NZL"], 2008, "China-New Zealand FTA (Oct 2008).", D + " no. 222", "rcep"),
    _a("CHN_SGP", ["CHN", "SGP"], 2009, "China-Singapore FTA (Jan 2009).", D + " no. 228", "rcep"),
    # ---- regional
    _a("RCEP", RCEP_MEMBERS, 2022, "Regional Comprehensive Economic Partnership (Jan 2022; Korea Feb 2022). Japan has separate schedules for China, Korea and ASEAN/AUS/NZ.", "Japan Customs RCEP columns (FY2026); " + T, "rcep", (2022, 20)),
    _a("CPTPP", CPTPP_MEMBERS, 2018, "Comprehensive and Progressive Agreement for Trans-Pacific Partnership (Dec 2018; VNM 2019, PER 2021, MYS 2022, CHL/BRN 2023, GBR Dec 2024).", "Japan Customs CPTPP column (FY2026); " + T),
    _a("ASEAN_FTA", ASEAN, 1993, "ASEAN Free Trade Area / ATIGA (1993; ATIGA 2010): intra-ASEAN tariffs eliminated.", D + " (AFTA)"),
    _a("AANZFTA", ["AUS", "NZL", *ASEAN], 2010, "ASEAN-Australia-New Zealand FTA (Jan 2010).", D + " no. 66"),
    _a("AIFTA", ["IND", *ASEAN], 2010, "ASEAN-India FTA, trade in goods (Jan 2010).", D + " no. 70", "rcep"),
    _a("USMCA", ["CAN", "MEX", "USA"], 2020, "United States-Mexico-Canada Agreement (July 2020; NAFTA 1994).", "USITC HTS 2025 special program 'S/S+'; " + T, staging=(1994, 10)),
    _a("PACIFIC_ALLIANCE", ["CHL", "MEX", "PER"], 2016, "Pacific Alliance Additional Protocol (May 2016) among Chile, Mexico, Peru (and Colombia).", "Pacific Alliance protocol (after DESTA's trade-agreement coding)", staging=(2016, 10)),
    # ---- Japan
    _a("US_JPN", ["JPN", "USA"], 2020, "US-Japan Trade Agreement (Jan 2020; limited tariff agreement).", "USITC HTS 2025 special program 'JP'; Japan Customs US-Japan column"),
    _a("JPN_AUS", ["AUS", "JPN"], 2015, "Japan-Australia EPA (JAEPA, Jan 2015).", "Japan Customs EPA column (FY2026); WB horizontal depth"),
    _a("JPN_MEX", ["JPN", "MEX"], 2005, "Japan-Mexico EPA (April 2005).", "Japan Customs EPA column (FY2026); WB horizontal depth"),
    _a("JPN_GBR", ["GBR", "JPN"], 2021, "Japan-UK Comprehensive EPA (Jan 2021).", "Japan Customs EPA column (FY2026); " + T, staging=(2019, 10)),
    _a("JPN_EU", ["EUN", "JPN"], 2019, "EU-Japan EPA (Feb 2019).", "Japan Customs EU column (FY2026); " + D + " no. 869"),
    _a("JPN_ASEAN", ["JPN", *ASEAN], 2008, "ASEAN-Japan Comprehensive Economic Partnership (Dec 2008).", "Japan Customs AJCEP column (FY2026); " + D + " no. 71"),
    _a("JPN_SGP", ["JPN", "SGP"], 2002, "Japan-Singapore EPA (Nov 2002).", "Japan Customs EPA column (FY2026); " + D + " no. 520"),
    _a("JPN_MYS", ["JPN", "MYS"], 2006, "Japan-Malaysia EPA (July 2006).", "Japan Customs EPA column (FY2026); " + D + " no. 517"),
    _a("JPN_THA", ["JPN", "THA"], 2007, "Japan-Thailand EPA (Nov 2007).", "Japan Customs EPA column (FY2026); DESTA"),
    _a("JPN_IDN", ["IDN", "JPN"], 2008, "Japan-Indonesia EPA (July 2008).", "Japan Customs EPA column (FY2026); " + D + " no. 495"),
    _a("JPN_VNM", ["JPN", "VNM"], 2009, "Japan-Viet Nam EPA (Oct 2009).", "Japan Customs EPA column (FY2026); " + D + " no. 523"),
    _a("JPN_CHL", ["CHL", "JPN"], 2007, "Japan-Chile EPA (Sept 2007).", "Japan Customs EPA column (FY2026); " + D + " no. 207"),
    _a("JPN_PER", ["JPN", "PER"], 2012, "Japan-Peru EPA (March 2012).", "Japan Customs EPA column (FY2026); " + D + " no. 829"),
    _a("JPN_IND", ["IND", "JPN"], 2011, "Japan-India CEPA (Aug 2011).", "Japan Customs EPA column (FY2026); " + D + " no. 826", "rcep"),
    # ---- United States
    _a("AUS_USA", ["AUS", "USA"], 2005, "Australia-United States FTA (AUSFTA, 2005).", "USITC HTS 2025 special program 'AU'"),
    _a("US_CHL", ["CHL", "USA"], 2004, "US-Chile FTA (Jan 2004).", "USITC HTS 2025 special program 'CL'"),
    _a("US_PER", ["PER", "USA"], 2009, "US-Peru Trade Promotion Agreement (Feb 2009).", "USITC HTS 2025 special program 'PE'"),
    _a("US_SGP", ["SGP", "USA"], 2004, "US-Singapore FTA (Jan 2004).", "USITC HTS 2025 special program 'SG'"),
    # ---- European Union
    _a("EU_MEX", ["EUN", "MEX"], 2000, "EU-Mexico Global Agreement (July 2000).", D + " no. 330"),
    _a("EU_CAN", ["CAN", "EUN"], 2017, "EU-Canada CETA (provisionally applied Sept 2017).", "EU/Canada announcements (DESTA: signed 2016)"),
    _a("EU_VNM", ["EUN", "VNM"], 2020, "EU-Viet Nam FTA (Aug 2020).", "EU/Viet Nam announcements (after DESTA's coverage)"),
    _a("EU_SGP", ["EUN", "SGP"], 2019, "EU-Singapore FTA (Nov 2019).", "EU/Singapore announcements"),
    _a("EU_CHL", ["CHL", "EUN"], 2003, "EU-Chile Association Agreement (Feb 2003).", "DESTA"),
    _a("EU_PER", ["EUN", "PER"], 2013, "EU-Colombia-Peru(-Ecuador) Trade Agreement (March 2013).", "DESTA"),
    _a("EU_NZL", ["EUN", "NZL"], 2024, "EU-New Zealand FTA (May 2024).", "EU/New Zealand announcements"),
    _a("EU_GBR", ["EUN", "GBR"], 2021, "EU-UK Trade and Cooperation Agreement (Jan 2021): zero tariffs on originating goods.", "EU/UK TCA text", staging=(2011, 10)),
    # ---- United Kingdom (continuity agreements staged like the EU originals)
    _a("AUS_GBR", ["AUS", "GBR"], 2023, "Australia-United Kingdom FTA (May 2023).", "UK/AUS governments; " + T + " (United Kingdom - Australia)"),
    _a("CAN_GBR", ["CAN", "GBR"], 2021, "UK-Canada Trade Continuity Agreement (2021, rolls over CETA).", T + " (United Kingdom - Canada)", staging=(2017, 10)),
    _a("MEX_GBR", ["GBR", "MEX"], 2021, "UK-Mexico Trade Continuity Agreement (2021).", T + " (United Kingdom - Mexico)", staging=(2000, 10)),
    _a("GBR_NZL", ["GBR", "NZL"], 2023, "UK-New Zealand FTA (May 2023).", "UK/NZ governments"),
    _a("GBR_SGP", ["GBR", "SGP"], 2021, "UK-Singapore FTA (2021, rolls over EUSFTA).", "UK government", staging=(2019, 10)),
    _a("GBR_VNM", ["GBR", "VNM"], 2021, "UK-Viet Nam FTA (2021, rolls over EVFTA).", "UK government", staging=(2020, 10)),
    _a("GBR_CHL", ["CHL", "GBR"], 2021, "UK-Chile Association Agreement (2021, rolls over the EU one).", "UK government", staging=(2003, 10)),
    _a("GBR_PER", ["GBR", "PER"], 2021, "UK-Andean Trade Agreement (2021, rolls over the EU one).", "UK government", staging=(2013, 10)),
    # ---- Oceania, South-East Asia, Latin America
    _a("AUS_NZL", ["AUS", "NZL"], 1983, "Australia-New Zealand CER (1983).", "DESTA (ANZCERTA)"),
    _a("AUS_SGP", ["AUS", "SGP"], 2003, "Singapore-Australia FTA (July 2003).", "DESTA"),
    _a("AUS_THA", ["AUS", "THA"], 2005, "Thailand-Australia FTA (Jan 2005).", "DESTA"),
    _a("AUS_MYS", ["AUS", "MYS"], 2013, "Malaysia-Australia FTA (Jan 2013).", "DESTA"),
    _a("AUS_CHL", ["AUS", "CHL"], 2009, "Australia-Chile FTA (March 2009).", "DESTA"),
    _a("AUS_IND", ["AUS", "IND"], 2022, "Australia-India ECTA (Dec 2022).", "AUS/IND governments", "rcep"),
    _a("AUS_IDN", ["AUS", "IDN"], 2020, "Indonesia-Australia CEPA (July 2020).", "AUS/IDN governments", "rcep"),
    _a("NZL_SGP", ["NZL", "SGP"], 2001, "New Zealand-Singapore CEP (Jan 2001).", "DESTA"),
    _a("NZL_THA", ["NZL", "THA"], 2005, "Thailand-New Zealand CEP (July 2005).", "DESTA"),
    _a("NZL_MYS", ["MYS", "NZL"], 2010, "Malaysia-New Zealand FTA (Aug 2010).", "DESTA"),
    _a("IND_SGP", ["IND", "SGP"], 2005, "India-Singapore CECA (Aug 2005).", "DESTA", "rcep"),
    _a("IND_MYS", ["IND", "MYS"], 2011, "Malaysia-India CECA (July 2011).", "DESTA", "rcep"),
    _a("CAN_CHL", ["CAN", "CHL"], 1997, "Canada-Chile FTA (July 1997).", "DESTA"),
    _a("CAN_PER", ["CAN", "PER"], 2009, "Canada-Peru FTA (Aug 2009).", "DESTA"),
    _a("CHL_MYS", ["CHL", "MYS"], 2012, "Malaysia-Chile FTA (Feb 2012).", "DESTA"),
    _a("CHL_THA", ["CHL", "THA"], 2015, "Thailand-Chile FTA (Nov 2015).", "DESTA"),
    _a("CHL_VNM", ["CHL", "VNM"], 2014, "Chile-Viet Nam FTA (Jan 2014).", "DESTA"),
    _a("PER_THA", ["PER", "THA"], 2011, "Peru-Thailand early harvest protocol (Dec 2011).", "DESTA"),
    _a("PER_SGP", ["PER", "SGP"], 2009, "Peru-Singapore FTA (Aug 2009).", "DESTA"),
    _a("TWN_SGP", ["SGP", "TWN"], 2014, "Agreement between Singapore and Taiwan on Economic Partnership (ASTEP, April 2014).", "DESTA"),
    _a("TWN_NZL", ["NZL", "TWN"], 2013, "Agreement between New Zealand and Taiwan on Economic Cooperation (ANZTEC, Dec 2013).", "DESTA"),
    # ---- hypothetical (in_force None; rows written by prefs_hypo.py)
    _a("CJK", ["CHN", "JPN", "KOR"], None, "HYPOTHETICAL China-Japan-Korea FTA ('RCEP-plus'): from 2027 the tariffs the three still apply to each other after RCEP/KOR-CHN (2026 step) are removed linearly over 10 years (steps 2027/2031/2036 = 10/50/100%), except a sensitive list kept at the 2026 rate (HS6 where Japan gives neither China nor Korea any RCEP concession in 2026, and rice).", "Assumption of this build; negotiating history: trilateral talks since 2013 (not in shared data)", "rcep"),
    _a("CPTPP_KOR", [*CPTPP_MEMBERS, "KOR"], None, "HYPOTHETICAL Korea accession to CPTPP from 2027: every CPTPP member extends its CPTPP schedule to KOR (Japan: its observed FY2026 CPTPP rates; the others: their imputed CPTPP schedules); KOR grants all members linear elimination over 10 years (2027/2031/2036) except Japan's CPTPP exclusion list and rice.", "Assumption of this build"),
    _a("CPTPP_KOR_CHN", [*CPTPP_MEMBERS, "CHN", "KOR"], None, "HYPOTHETICAL accession of Korea AND China to CPTPP from 2027 (China 'if it satisfies the framework's conditions': its WTO-plus commitments on SOEs, subsidies, data flows and labour are assumed met): every member extends its CPTPP schedule to both; KOR and CHN each grant every other member (each other included) linear elimination over 10 years (2027/2031/2036) except Japan's CPTPP exclusion list (and rice for KOR).", "Assumption of this build; China applied in Sept 2021, Korea announced its intention in 2021-2022"),
    _a("JK_PLUS", ["JPN", "KOR"], None, "HYPOTHETICAL deep Japan-Korea agreement ('plus' = CPTPP-level tariff cuts and rules, open to third parties by accession): from 2027 Japan grants KOR its observed CPTPP rates, Korea grants JPN linear elimination over 10 years except Japan's CPTPP exclusion list and rice. Preference rows use exporter blank (= every other member), so adding a member to this row extends both schedules to it.", "Assumption of this build"),
    _a("JK_PLUS_EU", ["EUN", "JPN", "KOR"], None, "HYPOTHETICAL Japan-Korea partnership opened to the EU (Germany and France as core partners; the EU bloc EUN) at CPTPP depth from 2027: Japan grants both its CPTPP rates, Korea and the EU grant every other member linear elimination over 10 years (2027/2031/2036) except Japan's CPTPP exclusion list (and rice for KOR); existing KOR-EU and EU-Japan preferences stay (the lower rate applies).", "Assumption of this build; Japan-Korea-EU cooperation proposals 2024-2025 (not in shared data)"),
]
BY_CODE: dict[str, Agreement] = {a.code: a for a in AGREEMENTS}
IN_FORCE: list[str] = [a.code for a in AGREEMENTS if a.in_force is not None]
MEMBERS: dict[str, list[str]] = {a.code: a.members for a in AGREEMENTS}
HYPOTHETICAL: list[str] = [a.code for a in AGREEMENTS if a.in_force is None]
