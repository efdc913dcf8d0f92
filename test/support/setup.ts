import { removeTempFolders } from './tempFolders';

// Bots started as their own process run without the studio (and its data folder) unless a test turns it on.
process.env.STUDIO ??= 'off';

afterAll(() => removeTempFolders());
