/* vocab.c -- the electronics vocabulary and sentence templates of the reviews generator.
 *
 * Constant data only (see vocab.h for the slot letters). The lists are written to read like
 * the Amazon Electronics reviews of McAuley et al.: cables, headphones, cameras, chargers and
 * the things people say about them. Read-only, shared by every generator thread.
 */
#include "gen/vocab.h"

#define LIST(name, ...)                                                      \
    static const char *const name##_w[] = {__VA_ARGS__};                    \
    static const lp_gen_wordlist name = {name##_w, (int)(sizeof name##_w / sizeof name##_w[0])}
#define PUBLIC_LIST(name, ...)                                               \
    static const char *const name##_w[] = {__VA_ARGS__};                    \
    const lp_gen_wordlist name = {name##_w, (int)(sizeof name##_w / sizeof name##_w[0])}

/* ---- categories ---- */
LIST(n_headphones, "headphones", "headphones", "earbuds", "headset", "cans");
LIST(f_headphones, "sound quality", "bass", "noise isolation", "ear cushions", "headband", "cord",
     "soundstage", "microphone", "fit", "treble");
LIST(n_cable, "cable", "cord", "HDMI cable", "USB cable", "adapter");
LIST(f_cable, "connectors", "length", "shielding", "jacket", "plugs", "build quality", "strain relief");
LIST(n_mouse, "mouse", "wireless mouse", "gaming mouse", "trackball");
LIST(f_mouse, "scroll wheel", "buttons", "sensor", "receiver", "battery life", "grip", "DPI switch");
LIST(n_keyboard, "keyboard", "wireless keyboard", "keyboard", "keypad");
LIST(f_keyboard, "keys", "key travel", "backlight", "layout", "Bluetooth pairing", "wrist rest");
LIST(n_camera, "camera", "point and shoot", "DSLR", "camcorder");
LIST(f_camera, "image quality", "autofocus", "low light performance", "LCD screen", "zoom",
     "battery", "menu system", "video mode", "shutter speed", "image stabilization");
LIST(n_lens, "lens", "zoom lens", "prime lens", "50mm lens");
LIST(f_lens, "sharpness", "bokeh", "autofocus motor", "focus ring", "lens hood", "aperture");
LIST(n_card, "memory card", "SD card", "microSD card", "card");
LIST(f_card, "write speed", "read speed", "capacity", "adapter", "transfer rate");
LIST(n_charger, "charger", "wall charger", "car charger", "charging dock", "power bank");
LIST(f_charger, "charging speed", "USB ports", "LED indicator", "cable", "output", "plug");
LIST(n_router, "router", "wireless router", "range extender", "modem");
LIST(f_router, "range", "signal strength", "setup", "firmware", "web interface", "antennas",
     "throughput", "guest network");
LIST(n_speaker, "speaker", "Bluetooth speaker", "speakers", "soundbar", "subwoofer");
LIST(f_speaker, "volume", "bass response", "Bluetooth range", "battery life", "clarity", "remote");
LIST(n_mount, "TV mount", "wall mount", "mount", "bracket");
LIST(f_mount, "hardware", "instructions", "tilt", "swivel arm", "lag bolts", "level");
LIST(n_case, "case", "sleeve", "cover", "bag", "backpack");
LIST(f_case, "zipper", "padding", "pockets", "strap", "stitching", "material");
LIST(n_tablet, "tablet", "Kindle", "e-reader", "iPad");
LIST(f_tablet, "screen", "battery life", "apps", "display", "speakers", "storage", "touch screen");
LIST(n_drive, "hard drive", "external drive", "SSD", "NAS", "enclosure");
LIST(f_drive, "transfer speed", "capacity", "fan noise", "USB 3.0 port", "backup software", "enclosure");
LIST(n_flash, "flash drive", "thumb drive", "USB stick");
LIST(f_flash, "write speed", "cap", "keyring loop", "capacity", "read speed");
LIST(n_monitor, "monitor", "LED monitor", "display", "screen");
LIST(f_monitor, "colors", "brightness", "viewing angles", "stand", "inputs", "dead pixels",
     "response time", "contrast");
LIST(n_remote, "remote", "universal remote", "remote control");
LIST(f_remote, "buttons", "setup", "range", "programming", "backlight");
LIST(n_battery, "batteries", "rechargeable batteries", "battery pack", "battery");
LIST(f_battery, "capacity", "charge time", "shelf life", "charger");
LIST(n_gps, "GPS", "GPS unit", "navigator");
LIST(f_gps, "maps", "voice directions", "screen", "suction mount", "traffic alerts", "routing");
LIST(n_mic, "microphone", "mic", "USB microphone", "lavalier mic");
LIST(f_mic, "pickup pattern", "gain", "stand", "pop filter", "recording quality");
LIST(n_tv, "TV", "television", "HDTV", "LED TV");
LIST(f_tv, "picture quality", "black levels", "smart features", "remote", "sound", "HDMI inputs",
     "motion blur");
LIST(n_hub, "USB hub", "hub", "docking station");
LIST(f_hub, "ports", "power adapter", "LED lights", "USB 3.0 speed", "cable");
LIST(n_protector, "screen protector", "protector", "screen film");
LIST(f_protector, "clarity", "bubbles", "fit", "installation", "glare", "edges");
LIST(n_surge, "surge protector", "power strip", "UPS");
LIST(f_surge, "outlets", "cord length", "switch", "joule rating", "USB ports");
LIST(n_stylus, "stylus", "pen", "styluses");
LIST(f_stylus, "tip", "grip", "weight", "accuracy");
LIST(n_projector, "projector", "mini projector");
LIST(f_projector, "brightness", "fan noise", "keystone correction", "throw distance", "lamp");
LIST(n_receiver, "receiver", "AV receiver", "amplifier", "amp");
LIST(f_receiver, "power output", "room calibration", "inputs", "remote", "menus", "HDMI switching");

#define CAT(x) {n_##x, f_##x}
const lp_gen_category lp_gen_categories[] = {
    CAT(headphones), CAT(cable), CAT(mouse), CAT(keyboard), CAT(camera), CAT(lens),
    CAT(card), CAT(charger), CAT(router), CAT(speaker), CAT(mount), CAT(case), CAT(tablet),
    CAT(drive), CAT(flash), CAT(monitor), CAT(remote), CAT(battery), CAT(gps), CAT(mic),
    CAT(tv), CAT(hub), CAT(protector), CAT(surge), CAT(stylus), CAT(projector), CAT(receiver),
};
const int lp_gen_ncategories = (int)(sizeof lp_gen_categories / sizeof lp_gen_categories[0]);

/* ---- slot fillers ---- */
LIST(s_A, "great", "excellent", "solid", "nice", "good", "sturdy", "reliable", "impressive",
     "fantastic", "decent", "well made", "comfortable", "sleek", "compact", "awesome", "perfect",
     "outstanding", "lightweight", "handy", "superb");
LIST(s_B, "Sony", "Logitech", "Samsung", "Panasonic", "Canon", "Nikon", "SanDisk", "Belkin",
     "Anker", "Sennheiser", "Bose", "Netgear", "Linksys", "Western Digital", "Seagate", "Kingston",
     "Apple", "Monster", "AmazonBasics", "Philips", "JVC", "Pioneer", "Garmin", "Toshiba", "Asus",
     "Audio-Technica", "Plantronics", "Energizer", "Duracell", "Insignia", "Vizio", "Onkyo",
     "Polk", "TP-Link", "Cooler Master", "Targus", "Case Logic", "Olympus", "Tamron", "Sigma",
     "Kodak", "Transcend", "Lexar", "Jabra", "Skullcandy", "Koss", "Yamaha", "Sharp", "LG",
     "Mediabridge", "Rosewill");
LIST(s_C, "works great", "does the job", "works as advertised", "does exactly what it says",
     "works perfectly", "works like a charm", "gets the job done", "holds up well",
     "performs well", "works flawlessly", "just works");
LIST(s_D, "my laptop", "my desktop", "my iPhone", "my iPad", "my Android phone", "the TV",
     "my MacBook", "my Xbox", "my PS3", "my Galaxy S4", "my Kindle Fire", "the car stereo",
     "my home theater", "my Nexus 7", "my old Dell", "my Canon T3i", "the Roku", "my Chromebook");
LIST(s_G, "price", "build quality", "packaging", "instructions", "warranty", "customer service",
     "shipping", "design", "weight", "finish", "value", "size");
LIST(s_I, "very", "really", "extremely", "pretty", "quite", "super", "surprisingly",
     "incredibly", "fairly", "reasonably");
LIST(s_M, "two", "three", "four", "five", "six", "2", "3", "10", "a couple of", "several");
LIST(s_N, "flimsy", "cheap", "disappointing", "useless", "defective", "poorly made", "noisy",
     "unreliable", "overpriced", "awkward", "bulky", "frustrating", "terrible", "mediocre",
     "fragile", "buggy");
LIST(s_R, "my wife", "my husband", "my son", "my daughter", "my dad", "my mom", "a friend",
     "a coworker", "my brother", "my girlfriend", "my kids");
LIST(s_T, "a week", "two weeks", "a month", "two months", "three months", "six months",
     "about a year", "over a year", "a few days", "a couple of weeks", "two years", "a few months");
LIST(s_U, "at work", "at home", "on the road", "in the car", "at the gym", "in the office",
     "on trips", "in the living room", "in my studio", "on the plane", "at school", "outdoors");
LIST(s_W, "stopped working", "died", "broke", "quit charging", "started crackling",
     "lost connection constantly", "fell apart", "overheated", "would not pair", "failed");

const lp_gen_wordlist lp_gen_slots[26] = {
    ['A' - 'A'] = s_A, ['B' - 'A'] = s_B, ['C' - 'A'] = s_C, ['D' - 'A'] = s_D,
    ['G' - 'A'] = s_G, ['I' - 'A'] = s_I, ['M' - 'A'] = s_M, ['N' - 'A'] = s_N,
    ['R' - 'A'] = s_R, ['T' - 'A'] = s_T, ['U' - 'A'] = s_U, ['W' - 'A'] = s_W,
};

/* ---- sentences ---- */
PUBLIC_LIST(lp_gen_sent_pos,
    "The $F is $I $A.", "I use it $U and it $C.", "The $F is $A and the $G is $A too.",
    "It works with $D without any problems.", "Setup took less than five minutes.",
    "I have had it for $T and it $C.", "For the price you really can't beat it.",
    "The $F is much better than I expected.", "Compared to my old $B $P, this one is $I $A.",
    "$R liked it so much that I ordered another one.", "It feels $A in the hand.",
    "I was $I impressed with the $F.", "Plugged it into $D and it was recognized right away.",
    "No complaints about the $F at all.", "It is $I $A and fits nicely on my desk.",
    "Battery life has been $A, easily a full day of use.", "I bought $M of these and they all work fine.",
    "Shipping was quick and it arrived ahead of schedule.", "It $C, which is all I wanted.",
    "The $F makes a big difference, especially $U.", "I would buy this $P again in a heartbeat.",
    "Much better than the $B I had before.", "The $F on this thing is $I good.",
    "Everything about it feels $A.", "I use it every day $U.",
    "After $T of daily use it still $C.", "It pairs quickly with $D.",
    "Quality is on par with $B at half the price.", "The $F alone is worth the money.",
    "If you need a $A $P, this is the one to get.", "I did a lot of research before buying and I am glad I picked this one.",
    "The $F was a pleasant surprise.", "It is small enough to throw in a bag and take $U.",
    "Even the $G is $A.", "Took it $U last weekend and it $C.",
    "The 15.6\" size is just right for me.", "I've recommended it to $R already.");
PUBLIC_LIST(lp_gen_sent_neu,
    "The $F is okay but nothing special.", "It does what it is supposed to do.",
    "The $G could be better.", "I mainly use it $U with $D.", "It is a bit $N but it works.",
    "The $F takes some getting used to.", "I bought it to replace my old $B $P.",
    "The instructions were a little confusing.", "It is about what you would expect for the price.",
    "It comes with a short cable, so plan accordingly.", "I wish the $F were a little better.",
    "It took me $T to decide whether I liked it.", "The $F is average at best.",
    "Not the best $P I have owned, not the worst either.", "I had to update the firmware first.",
    "It runs a little warm after long sessions.", "The color is slightly different from the picture.",
    "Shipping was fast.", "I have only had it for $T so far.", "It is $I heavy compared to my old one.",
    "Keep in mind that it needs its own power supply.", "The $F is fine for casual use.");
PUBLIC_LIST(lp_gen_sent_neg,
    "The $F is $I $N.", "It $W after $T.", "The $F stopped working after $T.",
    "I contacted the seller and never heard back.", "It would not work with $D at all.",
    "The $G is $N and it shows.", "I returned it after $T.", "Save your money and get the $B instead.",
    "The $F is $N and the $G is worse.", "Out of the box it $W.", "It feels $N and cheap.",
    "It disconnects from $D every few minutes.", "The $F was dead on arrival.",
    "I tried $M different settings and none of them helped.", "Support told me to reset it, which did nothing.",
    "The replacement $W as well.", "It is $I $N for what you pay.", "The $F makes an annoying buzzing noise.",
    "I expected much more from $B.", "Do not buy this $P.", "It got hot enough to worry me.",
    "The $F is nowhere near what the description says.");
PUBLIC_LIST(lp_gen_open_pos,
    "I bought this $P for $D and it $C.", "I needed a $A $P for $D and this fit the bill.",
    "This is my second $B $P and I love it.", "I've been using this $P $U for $T now.",
    "I was looking for an inexpensive $P and found this one.", "Bought this for $R as a gift.",
    "After my old $P died I ordered this one.", "I was skeptical at first, but this $P $C.",
    "This $P is exactly what I was looking for.", "I got this $P to use $U.");
PUBLIC_LIST(lp_gen_open_neg,
    "I had high hopes for this $P.", "I bought this $P for $D and regret it.",
    "I wanted to like this $P.", "I ordered this $P to use $U.",
    "This is the second $P of this kind I've had problems with.", "Bought this for $R and it was a mistake.");
PUBLIC_LIST(lp_gen_close_pos,
    "Highly recommended.", "I would recommend it to anyone.", "Five stars.", "Very happy with this purchase.",
    "Would buy again.", "Great value for the money.", "I am very pleased.", "Recommended!",
    "Overall a $A $P.", "Can't go wrong with this one.");
PUBLIC_LIST(lp_gen_close_neg,
    "Not recommended.", "Avoid.", "I would not buy it again.", "Very disappointed.",
    "Look elsewhere.", "Returned.", "Stay away from this one.", "What a waste of money.");

/* ---- summaries ---- */
PUBLIC_LIST(lp_gen_sum_pos,
    "$A $P", "$A $P for the price", "$I $A $P", "It $C", "$A $F, $A $G", "Love this $P",
    "$A $P, $A value", "Best $P I've owned", "$A replacement for my old $B", "Perfect for $D",
    "$A little $P", "Exactly what I needed", "$A $P for $D", "Does the job $U", "$A $F",
    "Better than the $B", "Great $P, fast shipping", "Works with $D", "$I $A $F");
PUBLIC_LIST(lp_gen_sum_neu,
    "Decent $P", "OK for the price", "Good but not great", "$A $F, $N $G", "It's okay",
    "Average $P", "Does what it says", "Mixed feelings about this $P", "Fine for $D",
    "$A but a bit $N");
PUBLIC_LIST(lp_gen_sum_neg,
    "$N $P", "$W after $T", "Don't buy", "Not worth it", "$I $N $F", "Junk",
    "Disappointed", "Returned it", "Stopped working", "Does not work with $D", "$N and $N",
    "Save your money", "Poor $F");
PUBLIC_LIST(lp_gen_sum_generic,
    "Five Stars", "Four Stars", "Great product", "Works great", "Good product", "Excellent",
    "Great", "Good value", "As described", "Nice");

/* ---- planted ---- */
PUBLIC_LIST(lp_gen_short_texts,
    "Great product!", "Love it!", "Works great!", "Excellent!!", "Five stars", "Awesome product",
    "Very good", "Perfect!", "Highly recommended!", "Best ever!", "Great!", "A+++", "Super!",
    "Good item.", "Nice!!");
PUBLIC_LIST(lp_gen_promo_phrases,
    "I received this product at a discount in exchange for my honest review.",
    "I received this product at a discount for my honest and unbiased opinion.",
    "Disclaimer: I received this item at a discounted price in exchange for an honest review.",
    "This is my honest review.", "I was given a sample in exchange for my honest review.",
    "I received this product at a discount, but that does not change my honest review.",
    "In my honest review, this is the best on the market.");
PUBLIC_LIST(lp_gen_hype_summaries,
    "Best purchase ever!!!", "AMAZING PRODUCT!!!", "Must buy!!", "Absolutely love it!!!",
    "Best on the market!", "WOW! Just wow!", "Incredible quality!!!", "You need this!!");

/* ---- names ---- */
PUBLIC_LIST(lp_gen_first_names,
    "James", "John", "Robert", "Michael", "William", "David", "Richard", "Joseph", "Thomas",
    "Charles", "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica",
    "Sarah", "Karen", "Daniel", "Matthew", "Anthony", "Mark", "Donald", "Steven", "Paul", "Andrew",
    "Joshua", "Kenneth", "Kevin", "Brian", "George", "Edward", "Ronald", "Timothy", "Jason",
    "Jeffrey", "Ryan", "Jacob", "Nancy", "Lisa", "Betty", "Margaret", "Sandra", "Ashley",
    "Kimberly", "Emily", "Donna", "Michelle", "Dorothy", "Carol", "Amanda", "Melissa", "Deborah",
    "Stephanie", "Rebecca", "Laura", "Sharon", "Cynthia", "Gary", "Eric", "Stephen", "Larry",
    "Frank", "Scott", "Raymond", "Greg", "Jose", "Chris", "Dan", "Mike", "Bob", "Jim", "Tom",
    "Bill", "Dave", "Steve", "Ken", "Ted", "Amy", "Kate", "Anne", "Jean", "René", "Zoë");
PUBLIC_LIST(lp_gen_last_names,
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Garcia", "Rodriguez",
    "Wilson", "Martinez", "Anderson", "Taylor", "Thomas", "Hernandez", "Moore", "Martin",
    "Jackson", "Thompson", "White", "Lopez", "Lee", "Gonzalez", "Harris", "Clark", "Lewis",
    "Robinson", "Walker", "Perez", "Hall", "Young", "Allen", "Sanchez", "Wright", "King", "Scott",
    "Green", "Baker", "Adams", "Nelson", "Hill", "Ramirez", "Campbell", "Mitchell", "Roberts",
    "Carter", "Phillips", "Evans", "Turner", "Torres", "Parker", "Collins", "Edwards", "Stewart",
    "Morris", "Murphy", "Cook", "Rogers", "Morgan", "Peterson", "Cooper", "Reed", "Bailey", "Bell",
    "Kelly", "Howard", "Ward", "Cox", "Richardson", "Wood", "Watson", "Brooks", "Bennett", "Gray",
    "O'Brien", "McDonald", "Nguyen", "Kim", "Patel", "Müller");
PUBLIC_LIST(lp_gen_nicknames,
    "techie", "gadget guy", "audiophile", "DJ", "Doc", "shutterbug", "gamer", "bookworm", "Skip",
    "the reviewer", "mom of 3", "Hawkeye", "Sparky", "Buzz");
