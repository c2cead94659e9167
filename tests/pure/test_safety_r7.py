"""Round 7 emergencies (bot/understanding/safety.py, lang/<code>/safety.yml): the 'other' kinds
(poison, stroke signs, swelling, sudden headache, collapse, dehydration), bleeding and
unresponsiveness said in new ways, and no alarm where a word of harm only sits near 'myself'."""

from __future__ import annotations

import pytest

from bot.understanding import safety


@pytest.mark.parametrize("text, expected", [
    # zh: something swallowed that is no medicine, or half a bottle of one
    ("喝了洗洁精", "urgent"),
    ("吃了老鼠药", "urgent"),
    ("误吃了药", "urgent"),
    ("吃了半瓶退烧药", "urgent"),
    # zh: a sudden, severe headache; a collapse; swelling of the eyelids
    ("突然头特别疼", "urgent"),
    ("突然倒下了", "urgent"),
    ("晕倒在地上", "urgent"),
    ("眼皮嘴巴都肿了", "urgent"),
    ("嘴巴歪了", "urgent"),
    # zh: a fall onto the head, then vomiting; no urine for days
    ("从床上掉下来 头着地 吐了两次", "urgent"),
    ("好几天没尿", "urgent"),
    # zh: blood in the vomit, a period that will not stop
    ("呕吐物里有血", "bleeding"),
    ("月经量特别大 一小时换一片", "bleeding"),
    # zh: cannot be got up
    ("一直睡 叫不起来", "unresponsive"),
    # zh: harming oneself, the object after the verb
    ("他一直打自己的头", "self_harm"),
    ("我想结束自己的生命", "self_harm"),
    # es: poison, another person's pills, a sudden fall, a sudden headache, no urine for hours
    ("tomo veneno para ratas", "urgent"),
    ("se comio unas pastillas de su abuela", "urgent"),
    ("se cayo al piso de repente", "urgent"),
    ("le duele muchisimo la cabeza de repente, dice que le va a explotar", "urgent"),
    ("lleva todo el dia sin hacer pis", "urgent"),
    ("no ha mojado el pañal en 12 horas", "urgent"),
    ("esta muy deshidratado", "urgent"),
    # es: red urine, a period that soaks a pad an hour
    ("tiene la orina roja", "bleeding"),
    ("le baja mucha regla, empapa una toalla cada hora", "bleeding"),
    # es: 'ni' before what is not known is no negation of it
    ("esta muy perdido, no sabe ni quien soy", "confusion"),
    # es: chest pain still read across a sentence
    ("tiene un dolor muy fuerte aqui en el pecho", "chest_pain"),
    # es: history said during chemotherapy, brought back by "ahora otra vez"
    ("tuvo una convulsion en la quimio y ahora otra vez", "seizure"),
    ("le duele el pecho muchisimo ahora, en la quimio no le pasaba", "chest_pain"),
    # zh: numbness on one side, the back of the head, a head splitting, vomiting and diarrhoea
    # all day, an adult's pills eaten, many of a named medicine
    ("一侧手脚麻木 突然的", "urgent"),
    ("后脑勺着地 吐了", "urgent"),
    ("头疼得要裂开了 突然开始的", "urgent"),
    ("上吐下泻一整天 一点尿都没有", "urgent"),
    ("严重脱水", "urgent"),
    ("把奶奶的降压药吃了", "urgent"),
    ("吃了好几颗退烧药 不知道几颗", "urgent"),
    # es: misspelt seizures and unconsciousness, swelling lips, a face fallen on one side,
    # a head blow then drowsy or vomiting, a magnet or cleaner swallowed
    ("le estan dando convulciones", "seizure"),
    ("esta combulsionando", "seizure"),
    ("se quedo inconciente", "unresponsive"),
    ("se le estan poniendo los labios gordos y le pica la garganta", "urgent"),
    ("se le duerme la mitad de la cara", "urgent"),
    ("se le cayo la cara de un lado", "urgent"),
    ("se dio un golpe en la cabeza y esta muy dormilon", "urgent"),
    ("se cayo de la litera de cabeza y no para de vomitar", "urgent"),
    ("se trago un iman", "urgent"),
    ("se bebio el liquido de limpiar", "urgent"),
    ("le dio una reaccion alergica fuerte, se le hincho todo", "urgent"),
    ("esta como borracho y no sabe lo que dice", "confusion"),
    # zh: 呼之不应, hardly wakeable, blood all over the face; en: spasming, flickering eyes
    ("呼之不应", "unresponsive"),
    ("昏昏欲睡 叫不太醒", "unresponsive"),
    ("人没意识了", "unresponsive"),
    ("血流得满脸都是", "bleeding"),
    ("皮肤上好多紫斑 牙龈渗血", "bleeding"),
    ("she's spasming", "seizure"),
    ("jerking movements on his right side", "seizure"),
    ("his eyes are flickering and his hand is jerking", "seizure"),
    # en: poison swallowed, a named medicine by the bottle, a number of someone's pills
    ("he drank some of the dishwasher liquid", "urgent"),
    ("got into the rat poison", "urgent"),
    ("took a whole bottle of tylenol", "urgent"),
    ("he took like 10 of my xanax", "urgent"),
    # en: one arm that will not move, a fall onto the head and vomiting, a sudden fall
    ("cant move his left arm and talking funny", "urgent"),
    ("she fell down the stairs banged her head and threw up twice", "urgent"),
    ("he just dropped to the floor", "urgent"),
    # en: no urine for hours, dehydration
    ("no wet diaper since last night", "urgent"),
    ("really dehydrated, sunken eyes, no tears", "urgent"),
    # en: a period that soaks through, blood passed
    ("her period is soaking a pad every hour", "bleeding"),
    ("she's pooping blood, bright red, lots of it", "bleeding"),
    # en: out cold; a child who cannot be woken is no self-harm
    ("she's out cold", "unresponsive"),
    ("i cant get him to wake up", "unresponsive"),
    # en: seizures misspelt or named otherwise; staring with twitching; stiff as a board
    ("he's seizuring", "seizure"),
    ("shes siezing", "seizure"),
    ("having a siezure", "seizure"),
    ("grand mal right now", "seizure"),
    ("she's having an episode, staring and twitching", "seizure"),
    ("hes stiff as a board and shaking", "seizure"),
    # en: anaphylaxis named, a magnet swallowed, a head hit and not acting right
    ("she's having an anaphylactic reaction", "urgent"),
    ("kid swallowed a magnet", "urgent"),
    ("hit his head and hes not acting right", "urgent"),
    ("he fell off the top bunk onto his head and is sleepy", "urgent"),
    # en: "can't" with going on still is
    ("I can't go on like this", "self_harm"),
])
def test_r7_emergencies(text, expected):
    assert safety.detect(text) == expected


@pytest.mark.parametrize("text", [
    # zh: "myself" beside typing or ending a treatment, answering who is answering
    "我自己打的字",
    "孩子自己打字不方便 我替他打",
    "是我 孩子他妈 他自己打不了字",
    "我是患者本人 自己打字",
    "我是孩子的姥姥 他自己结束治疗后在家",
    # zh: ordinary things near the new words
    "吃了补铁的药 大便发黑",
    "月经量一直特别多 从小就这样",
    "他累得倒下就睡",
    "大便有血丝 痔疮",
    "吃芒果嘴巴会肿一点，从来没去过医院",
    "突然头有点疼",
    # es: a heart that hurts with grief; the chest of a cancer or an X-ray; a pain that was
    "no, solo la leucemia, y con todo el dolor de mi corazón ya es bastante",
    "no, gracias a dios. nos duele el corazón solo con pensarlo",
    "no que sepamos, me duele el corazon de verlo asi",
    "no, le hicieron una radiografia de pecho y salio bien por el dolor",
    "no, solo la leucemia. mi mama tuvo cancer de pecho y le dolia mucho",
    "no, el dolor de pecho que tuvo fue por la quimio",
    "me duele la cabeza horrible de pensar en todo esto",
    # es: what a relative died of, a fright that "almost" gave a heart attack, a pain that was
    "no, solo la leucemia. su abuelo murio de un ataque al corazon",
    "no. casi me da un infarto cuando nos dijeron lo de la leucemia",
    "no, el dolor en el pecho era por la leucemia",
    "no. tuvo un dolor de pecho fuerte en la quimio, nada mas",
    # zh: pills taken as told; es: an allergy that was, a form not understood, hair falling out
    "他每天把药全吃了 很乖",
    "我按时把药都吃了",
    "头磕了一下 没事",
    "tuvo una reaccion alergica fuerte a la amoxicilina",
    "tuvo anafilaxia con la asparaginasa, le tuvieron que poner adrenalina",
    "no sabe lo que dice este formulario",
    "se le cae el pelo de un lado",
    "que pasa si le da una combulsion?",
    "他坐在那里一动不动看电视",
    "以前呼之不应过一次",
    "she shakes her head on one side",
    "muscle spasms in her legs from the vincristine",
    # en: ordinary pills, an ordinary drop to the floor, ordinary periods and bleach
    "I took my meds this morning",
    "she took her iron tablets",
    "she dropped to the floor to play with the dog",
    "period pain every month, normal",
    "his left arm is sore from the cannula",
    "we clean with bleach at home",
    "hasnt peed much today but is drinking well",
    "what if he has a siezure?",
    "no seizuring since 2019",
    "he fell on his head as a baby, he was fine",
    "he was staring at the tv all day",
])
def test_r7_no_alarm(text):
    assert safety.detect(text) is None
