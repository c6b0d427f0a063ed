// The package ships no types; only the plugin used by html.loader.ts is declared.
declare module '@joplin/turndown-plugin-gfm' {
  import type TurndownService from 'turndown';

  /** Tables, strikethrough, task list items and highlighted code blocks. */
  export const gfm: TurndownService.Plugin;
}
