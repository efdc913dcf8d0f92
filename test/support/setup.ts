import { removeTempFolders } from './tempFolders';

afterAll(() => removeTempFolders());
