// The little markdown the helpdesk's texts use, for Web Chat's minimal bundle (which has no markdown of its own):
// paragraphs, line breaks, **bold**, "- " lists, "> " quotes and [links](https://…). Everything is escaped first,
// so a message can only ever give these elements; a link goes to http(s) or mailto only and opens in a new tab.
(function () {
  'use strict';

  function escape(text) {
    return text.replace(/[&<>"']/g, function (char) {
      return '&#' + char.charCodeAt(0) + ';';
    });
  }

  // Within a line (already escaped): bold and links.
  function inline(text) {
    return text
      .replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')
      .replace(/\[([^\]]+)\]\(((?:https?:\/\/|mailto:)[^\s()]+)\)/g, function (_, label, href) {
        return '<a href="' + href + '" target="_blank" rel="noopener noreferrer">' + label + '</a>';
      });
  }

  var KINDS = [
    { pattern: /^[-*] /, open: '<ul><li>', join: '</li><li>', close: '</li></ul>' },
    { pattern: /^&#62; ?/, open: '<blockquote><p>', join: '<br>', close: '</p></blockquote>' },
    { pattern: /^/, open: '<p>', join: '<br>', close: '</p>' },
  ];

  // A paragraph's lines, in runs of the same kind: list items, quoted lines, plain lines.
  function block(lines) {
    var html = '';
    var kind;
    var run = [];
    var flush = function () {
      if (run.length) html += kind.open + run.join(kind.join) + kind.close;
      run = [];
    };
    lines.forEach(function (line) {
      var next = KINDS.find(function (each) {
        return each.pattern.test(line);
      });
      if (next !== kind) flush();
      kind = next;
      run.push(inline(line.replace(next.pattern, '')));
    });
    flush();
    return html;
  }

  function render(markdown) {
    return escape(String(markdown || ''))
      .replace(/\r\n?/g, '\n')
      .split(/\n{2,}/)
      .map(function (part) {
        return part.trim() ? block(part.trim().split('\n')) : '';
      })
      .join('');
  }

  window.HelpdeskMarkdown = { render: render };
})();
