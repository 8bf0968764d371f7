"""The words the faithfulness guard (guard.py) reads: number words, units, frequency words and their
plain equivalents, negation cues. Data only; a word added here changes what the guard flags (tested in
tests/scoring/test_guard.py)."""

_BELOW_TWENTY = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen"
).split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
NUMBER_WORDS = (
    {word: value for value, word in enumerate(_BELOW_TWENTY)}
    | {word: 10 * value for value, word in enumerate(_TENS, start=2)}
    | {"hundred": 100, "thousand": 1000, "million": 1_000_000, "half": 0.5}
    | {"once": 1, "twice": 2, "thrice": 3, "dozen": 12}
)
# A number word that is also an ordinary word is only a number right before a unit or another number.
AMBIGUOUS_NUMBER_WORDS = {"one", "half"}
MULTIPLIER_WORDS = {"once", "twice", "thrice"}

UNITS = {
    # dose units
    **dict.fromkeys(["mg", "milligram", "milligrams"], ("dose", "mg")),
    **dict.fromkeys(["g", "gram", "grams", "gm"], ("dose", "g")),
    **dict.fromkeys(["mcg", "µg", "μg", "microgram", "micrograms"], ("dose", "mcg")),
    **dict.fromkeys(["ml", "milliliter", "milliliters", "millilitre", "millilitres", "cc"], ("dose", "ml")),
    **dict.fromkeys(["l", "liter", "liters", "litre", "litres"], ("dose", "l")),
    **dict.fromkeys(["iu", "unit", "units"], ("dose", "units")),
    **dict.fromkeys(["tablet", "tablets", "pill", "pills", "capsule", "capsules"], ("dose", "tablets")),
    **dict.fromkeys(["dose", "doses"], ("dose", "doses")),
    **dict.fromkeys(["drop", "drops"], ("dose", "drops")),
    **dict.fromkeys(["puff", "puffs"], ("dose", "puffs")),
    **dict.fromkeys(["teaspoon", "teaspoons", "tsp"], ("dose", "teaspoons")),
    **dict.fromkeys(["tablespoon", "tablespoons", "tbsp"], ("dose", "tablespoons")),
    **dict.fromkeys(["%", "percent"], ("dose", "%")),
    # time units
    **dict.fromkeys(["second", "seconds", "sec", "secs"], ("time", "seconds")),
    **dict.fromkeys(["minute", "minutes", "min", "mins"], ("time", "minutes")),
    **dict.fromkeys(["hour", "hours", "hr", "hrs", "h"], ("time", "hours")),
    **dict.fromkeys(["day", "days"], ("time", "days")),
    **dict.fromkeys(["week", "weeks", "wk", "wks"], ("time", "weeks")),
    **dict.fromkeys(["month", "months"], ("time", "months")),
    **dict.fromkeys(["year", "years", "yr", "yrs"], ("time", "years")),
    **dict.fromkeys(["time", "times"], ("time", "times")),
    # other measures
    **dict.fromkeys(["kg", "kilogram", "kilograms", "kilo", "kilos"], ("measure", "kg")),
    **dict.fromkeys(["lb", "lbs", "pound", "pounds"], ("measure", "lb")),
    **dict.fromkeys(["cm", "centimeter", "centimeters", "centimetre", "centimetres"], ("measure", "cm")),
    **dict.fromkeys(["mm", "millimeter", "millimeters", "millimetre", "millimetres"], ("measure", "mm")),
    **dict.fromkeys(["inch", "inches"], ("measure", "inches")),
    **dict.fromkeys(["mmhg"], ("measure", "mmhg")),
}
# A frequency word of the source is kept when the candidate has it or one of its plain equivalents.
FREQUENCY_WORDS = {
    "daily": ["daily", "a day", "each day", "every day", "per day"],
    "weekly": ["weekly", "a week", "each week", "every week", "per week"],
    "monthly": ["monthly", "a month", "each month", "every month", "per month"],
    "yearly": ["yearly", "annually", "a year", "each year", "every year", "per year"],
    "annually": ["yearly", "annually", "a year", "each year", "every year", "per year"],
    "hourly": ["hourly", "an hour", "each hour", "every hour", "per hour"],
    "nightly": ["nightly", "at night", "each night", "every night"],
}
NEGATION_WORDS = set(
    "not no never none nothing nobody nowhere neither nor without cannot avoid avoiding avoids".split()
)
# Words that sit between a negation and the word it negates ("do not ever take", "not be taken").
NEGATION_SKIP = set("be been ever to always usually take do use a an the any".split())
