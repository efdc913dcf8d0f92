'use strict';
// The draft's conversation as a picture: the server lays it out (GET /studio/api/picture), this draws it as SVG.
// Every step is a button: a click, Enter or Space opens it in the editor, as the list of steps does.
(() => {
  const { element, api, languages, languageNames, openStep } = window.studioPage;
  const SVG = 'http://www.w3.org/2000/svg';
  const $ = (id) => document.getElementById(id);
  let current;

  function svg(tag, attributes = {}, ...children) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
    for (const child of children) node.append(child);
    return node;
  }

  function highlight() {
    for (const node of document.querySelectorAll('#picture-drawing [data-step]'))
      node.setAttribute('aria-current', node.dataset.step === current ? 'true' : 'false');
  }

  function draw(picture) {
    const drawing = svg('svg', {
      viewBox: `0 0 ${picture.width} ${picture.height}`,
      'data-width': picture.width,
      'data-height': picture.height,
      role: 'group',
      'aria-labelledby': 'picture-title',
      lang: picture.language,
    });
    drawing.append(
      svg(
        'defs',
        {},
        svg(
          'marker',
          { id: 'picture-arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7 },
          svg('path', { d: 'M0,0 L10,5 L0,10 z' }),
        ),
      ),
    );
    drawing.querySelector('marker').setAttribute('orient', 'auto-start-reverse');
    for (const edge of picture.edges) {
      const path = edge.points.map((point, at) => `${at === 0 ? 'M' : 'L'}${point.x},${point.y}`).join(' ');
      drawing.append(
        svg('path', { class: `edge ${edge.kind}`, d: path, 'marker-end': 'url(#picture-arrow)' }),
        svg(
          'g',
          { class: 'edge-label', 'aria-hidden': 'true', 'data-from': edge.from, 'data-to': edge.to },
          svg('rect', { x: edge.x - edge.labelWidth / 2, y: edge.y - 8, width: edge.labelWidth, height: 15, rx: 3 }),
          Object.assign(svg('text', { x: edge.x, y: edge.y + 3, 'text-anchor': 'middle' }), {
            textContent: edge.label,
          }),
        ),
      );
    }
    for (const node of picture.nodes) {
      const left = node.x - node.width / 2;
      const top = node.y - node.height / 2;
      const box = svg(
        'g',
        { class: `node ${node.kind}`, role: 'button', tabindex: 0, 'data-step': node.id },
        svg('title'),
        svg('rect', { x: left, y: top, width: node.width, height: node.height, rx: 8 }),
      );
      box.querySelector('title').textContent = [node.title, ...node.lines].join('\n');
      [node.title, ...node.lines].forEach((line, at) =>
        box.append(
          Object.assign(svg('text', { x: left + 12, y: top + 20 + at * picture.lineHeight }), { textContent: line }),
        ),
      );
      box.querySelector('text').setAttribute('class', 'title');
      box.addEventListener('click', () => openStep(node.id));
      // Firefox neither scrolls a focused SVG group into sight nor scrolls to it when asked; its box it does.
      box.addEventListener('focus', () =>
        box.querySelector('rect').scrollIntoView({ block: 'nearest', inline: 'nearest' }),
      );
      box.addEventListener('keydown', (event) => {
        if (event.key !== 'Enter' && event.key !== ' ') return;
        event.preventDefault();
        openStep(node.id);
      });
      drawing.append(box);
    }
    $('picture-drawing').replaceChildren(drawing);
    zoom();
    highlight();
  }

  /** The drawing at the chosen size; the box around it scrolls. */
  function zoom() {
    const drawing = document.querySelector('#picture-drawing svg');
    if (!drawing) return;
    const scale = Number($('picture-zoom').value) || 1;
    drawing.setAttribute('width', String(Math.ceil(drawing.dataset.width * scale)));
    drawing.setAttribute('height', String(Math.ceil(drawing.dataset.height * scale)));
  }

  async function load() {
    const language = $('picture-language').value || 'en';
    const { status, data } = await api('GET', `/studio/api/picture?lang=${encodeURIComponent(language)}`);
    if (status === 200) draw(data);
  }

  /** The choices of labels' language and of size, named in the page's language. */
  function options() {
    const select = $('picture-language');
    const chosen = select.value;
    select.replaceChildren(
      ...languages.map((language) => element('option', { value: language, text: languageNames[language] })),
    );
    select.value = chosen || languages[0];
    const percent = new Intl.NumberFormat(document.documentElement.lang, { style: 'percent' });
    for (const option of $('picture-zoom').options) option.textContent = percent.format(Number(option.value));
  }

  $('picture-language').addEventListener('change', load);
  $('picture-zoom').addEventListener('change', zoom);
  // Drawn again whenever the steps are (after signing in and after every change to the structure).
  document.addEventListener('studio:dialog', () => {
    options();
    return load();
  });
  document.addEventListener('studio:language', options);
  document.addEventListener('studio:step', (event) => {
    current = event.detail.id;
    highlight();
  });
})();
