/**
 * Microsoft Teams' host configuration for Adaptive Cards, light and dark, as Microsoft publishes it for card
 * designers (the AdaptiveCards repository's samples/HostConfig/microsoft-teams-light.json and -dark.json): its
 * fonts, spacing, button layout and the colours of each container style. Built here from those values.
 */
export type Theme = 'light' | 'dark';

/** The container styles a card may use, and the card's own ("default"). */
export const CONTAINER_STYLES = ['default', 'emphasis', 'accent', 'good', 'attention', 'warning'] as const;
export type ContainerStyle = (typeof CONTAINER_STYLES)[number];

interface Palette {
  backgrounds: Record<ContainerStyle, string>;
  /** The default text colour on each style. */
  text: Record<ContainerStyle, string>;
  subtleText: Record<ContainerStyle, string>;
  colours: Record<'accent' | 'good' | 'warning' | 'attention', string>;
  dark: string;
  light: string;
}

const PALETTES: Record<Theme, Palette> = {
  light: {
    backgrounds: {
      default: '#ffffff',
      emphasis: '#f9f8f7',
      accent: '#c7def9',
      good: '#ccffcc',
      attention: '#ffc5b2',
      warning: '#ffe2b2',
    },
    text: {
      default: '#252424',
      emphasis: '#252424',
      accent: '#252424',
      good: '#252424',
      attention: '#252424',
      warning: '#252424',
    },
    subtleText: {
      default: '#bf252424',
      emphasis: '#bf252424',
      accent: '#bf252424',
      good: '#bf252424',
      attention: '#bf252424',
      warning: '#bf252424',
    },
    colours: { accent: '#6264a7', good: '#92c353', warning: '#f8d22a', attention: '#c4314b' },
    dark: '#252424',
    light: '#ffffff',
  },
  dark: {
    backgrounds: {
      default: '#2d2c2c',
      emphasis: '#292828',
      accent: '#c7def9',
      good: '#ccffcc',
      attention: '#ffc5b2',
      warning: '#ffe2b2',
    },
    text: {
      default: '#ffffff',
      emphasis: '#ffffff',
      accent: '#201f1f',
      good: '#201f1f',
      attention: '#201f1f',
      warning: '#201f1f',
    },
    subtleText: {
      default: '#bfffffff',
      emphasis: '#bfffffff',
      accent: '#ff2d2c2c',
      good: '#ff2d2c2c',
      attention: '#ff2d2c2c',
      warning: '#ff2d2c2c',
    },
    colours: { accent: '#a6a7dc', good: '#92c353', warning: '#f8d22a', attention: '#d74654' },
    dark: '#201f1f',
    light: '#ffffff',
  },
};

/** "#bf252424" (alpha first, as host configurations write it) → "#252424bf" for CSS; six digits stay. */
function css(colour: string): string {
  return colour.length === 9 ? `#${colour.slice(3)}${colour.slice(1, 3)}` : colour;
}

/** The colours of one theme, for checks that do not need a browser. */
export function palette(theme: Theme): Palette {
  return PALETTES[theme];
}

/** The host configuration JSON the adaptivecards renderer takes, for one theme. */
export function teamsHostConfig(theme: Theme): Record<string, unknown> {
  const colours = PALETTES[theme];
  const font = {
    fontFamily: "'Segoe UI', Tahoma, Geneva, Verdana, sans-serif",
    fontSizes: { small: 12, default: 14, medium: 14, large: 18, extraLarge: 24 },
    fontWeights: { lighter: 200, default: 400, bolder: 600 },
  };
  const containerStyles = Object.fromEntries(
    CONTAINER_STYLES.map((style) => [
      style,
      {
        backgroundColor: css(colours.backgrounds[style]),
        foregroundColors: {
          default: { default: css(colours.text[style]), subtle: css(colours.subtleText[style]) },
          dark: { default: css(colours.dark), subtle: css(colours.dark) },
          light: { default: css(colours.light), subtle: css(colours.light) },
          ...Object.fromEntries(
            Object.entries(colours.colours).map(([name, value]) => [name, { default: value, subtle: value }]),
          ),
        },
      },
    ]),
  );
  return {
    supportsInteractivity: true,
    spacing: { small: 8, default: 12, medium: 16, large: 20, extraLarge: 24, padding: 16 },
    separator: { lineThickness: 1, lineColor: '#EEEEEE' },
    fontFamily: font.fontFamily,
    fontSizes: font.fontSizes,
    fontWeights: font.fontWeights,
    fontTypes: { default: font, monospace: { ...font, fontFamily: "'Courier New', Courier, monospace" } },
    containerStyles,
    actions: {
      maxActions: 6,
      spacing: 'default',
      buttonSpacing: 8,
      showCard: { actionMode: 'inline', inlineTopMargin: 16, style: 'emphasis' },
      preExpandSingleShowCardAction: false,
      actionsOrientation: 'horizontal',
      actionAlignment: 'left',
    },
    adaptiveCard: { allowCustomStyle: false },
    factSet: {
      title: { size: 'default', color: 'default', isSubtle: false, weight: 'bolder', wrap: true },
      value: { size: 'default', color: 'default', isSubtle: false, weight: 'default', wrap: true },
      spacing: 16,
    },
  };
}

/** WCAG contrast ratio of two colours (#rrggbb), 1 to 21. */
export function contrast(first: string, second: string): number {
  const luminance = (colour: string) => {
    const [r, g, b] = [1, 3, 5].map((index) => {
      const channel = parseInt(css(colour).slice(index, index + 2), 16) / 255;
      return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  };
  const [light, dark] = [luminance(first), luminance(second)].sort((a, b) => b - a);
  return (light! + 0.05) / (dark! + 0.05);
}
