// The page's own words, in the three languages the assistant speaks.
// The conversation itself comes from the bot (domain/*.yml); these are only the page around it.

export const LANGUAGES = [
  { code: "en", label: "English", htmlLang: "en" },
  { code: "zh", label: "简体中文", htmlLang: "zh-Hans" },
  { code: "es", label: "Español", htmlLang: "es" },
];

export const DEFAULT_LANGUAGE = "en";

export const STRINGS = {
  en: {
    pageTitle: "Trial pre-screening assistant",
    heading: "Trial pre-screening",
    subheading: "CIK cell therapy trial for relapsed or refractory B-ALL",
    languageLabel: "Language",
    emergency: "In an emergency, call 120 in mainland China or your local emergency number. This assistant cannot help in an emergency.",
    noticeHeading: "Before we start",
    notice: [
      "This assistant asks short questions to see whether a clinical trial might suit you or your child. It is not medical advice, and it does not sign anyone up.",
      "Your answers are used only for this pre-screening. Nothing is passed to the study team unless, at the end, you agree to be contacted. Please don't type names or contact details until you are asked for them.",
      "This page has no cookies, ads or trackers, and loads nothing from other websites. It remembers this conversation on this device, except any contact details you give, so you can reload the page and carry on. “Delete my answers”, under “About your privacy”, erases it.",
    ],
    noticeContinue: "I understand, let's begin",
    privacyLink: "About your privacy",
    startOver: "Start over",
    startOverConfirm: "Clear your answers and start the pre-screening again?",
    talkToPerson: "Talk to a person",
    toolsLabel: "Conversation options",
    forget: "Delete my answers",
    forgetConfirm: "Delete your answers, and make this device forget this conversation?",
    conversationLabel: "Conversation",
    quickRepliesLabel: "Answer options",
    inputLabel: "Your answer",
    inputPlaceholder: "Type your answer…",
    send: "Send",
    you: "You:",
    assistant: "Assistant:",
    typing: "The assistant is writing…",
    hiddenContact: "(Your contact details and the messages around them are not kept on this device, so they are not shown again after a reload.)",
    connecting: "Connecting…",
    offline: "Connection lost. Trying again…",
    slow: "The assistant has not answered yet. Please wait a moment, or send your answer again.",
    charsLeft: (n) => `${n} characters left`,
    tooLong: "Your message is at the 2000-character limit.",
  },
  zh: {
    pageTitle: "临床试验预筛查助手",
    heading: "临床试验预筛查",
    subheading: "复发或难治性B-ALL的CIK细胞治疗试验",
    languageLabel: "语言",
    emergency: "如遇紧急情况，中国大陆请拨打120，其他地区请拨打当地急救电话。本助手无法处理紧急情况。",
    noticeHeading: "开始之前",
    notice: [
      "本助手会问几个简短的问题，看看这项临床试验是否可能适合您或您的孩子。这不是医疗建议，也不代表报名入组。",
      "您的回答只用于本次预筛查。除非您在最后同意被联系，否则不会交给研究团队。在被问到之前，请不要输入姓名或联系方式。",
      "本页面不使用Cookie、广告或跟踪程序，也不加载其他网站的内容。它会在本设备上记住这次对话（您留下的联系方式除外），刷新页面后可以继续。在“关于您的隐私”中点击“删除我的回答”即可清除。",
    ],
    noticeContinue: "我已了解，开始",
    privacyLink: "关于您的隐私",
    startOver: "重新开始",
    startOverConfirm: "要清除您的回答，重新开始预筛查吗？",
    talkToPerson: "联系工作人员",
    toolsLabel: "对话选项",
    forget: "删除我的回答",
    forgetConfirm: "要删除您的回答，并让本设备忘记这次对话吗？",
    conversationLabel: "对话",
    quickRepliesLabel: "回答选项",
    inputLabel: "您的回答",
    inputPlaceholder: "请输入您的回答…",
    send: "发送",
    you: "您：",
    assistant: "助手：",
    typing: "助手正在输入…",
    hiddenContact: "（为保护您的隐私，联系方式及相关消息不保存在本设备上，所以重新加载页面后不再显示。）",
    connecting: "正在连接…",
    offline: "连接已断开，正在重试…",
    slow: "助手还没有回复。请稍等，或者再发送一次您的回答。",
    charsLeft: (n) => `还可以输入${n}个字`,
    tooLong: "您的消息已达到2000字的上限。",
  },
  es: {
    pageTitle: "Asistente de preselección para el ensayo",
    heading: "Preselección para el ensayo",
    subheading: "Ensayo de terapia con células CIK para la LLA-B en recaída o refractaria",
    languageLabel: "Idioma",
    emergency: "En caso de emergencia, llame al 120 en China continental o al número de emergencias local. Este asistente no puede ayudar en una emergencia.",
    noticeHeading: "Antes de empezar",
    notice: [
      "Este asistente hace preguntas cortas para ver si un ensayo clínico podría ser adecuado para usted o para su hijo o hija. No es un consejo médico y no inscribe a nadie.",
      "Sus respuestas solo se usan para esta preselección. No se comparte nada con el equipo del estudio salvo que, al final, acepte que le contacten. No escriba nombres ni datos de contacto hasta que se los pidan.",
      "Esta página no usa cookies, anuncios ni rastreadores, y no carga nada de otros sitios web. Recuerda esta conversación en este dispositivo, salvo los datos de contacto que dé, para que pueda recargar la página y seguir. Con “Borrar mis respuestas”, en “Sobre su privacidad”, se borra.",
    ],
    noticeContinue: "Entendido, empecemos",
    privacyLink: "Sobre su privacidad",
    startOver: "Empezar de nuevo",
    startOverConfirm: "¿Borrar sus respuestas y empezar la preselección de nuevo?",
    talkToPerson: "Hablar con una persona",
    toolsLabel: "Opciones de la conversación",
    forget: "Borrar mis respuestas",
    forgetConfirm: "¿Borrar sus respuestas y hacer que este dispositivo olvide esta conversación?",
    conversationLabel: "Conversación",
    quickRepliesLabel: "Opciones de respuesta",
    inputLabel: "Su respuesta",
    inputPlaceholder: "Escriba su respuesta…",
    send: "Enviar",
    you: "Usted:",
    assistant: "Asistente:",
    typing: "El asistente está escribiendo…",
    hiddenContact: "(Sus datos de contacto y los mensajes sobre ellos no se guardan en este dispositivo, por eso no se vuelven a mostrar al recargar la página.)",
    connecting: "Conectando…",
    offline: "Se perdió la conexión. Reintentando…",
    slow: "El asistente todavía no ha respondido. Espere un momento o envíe su respuesta otra vez.",
    charsLeft: (n) => `Quedan ${n} caracteres`,
    tooLong: "Su mensaje ha llegado al límite de 2000 caracteres.",
  },
};

/** The first of the browser's preferred languages that the assistant speaks. */
export function pickLanguage(preferred) {
  for (const tag of preferred || []) {
    const primary = String(tag).toLowerCase().split("-")[0];
    if (STRINGS[primary]) return primary;
  }
  return DEFAULT_LANGUAGE;
}
