import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '../lib/theme.css';
import './listener.css';
import { ListenerApp } from './listener-app.tsx';

const spaceId = decodeURIComponent(window.location.pathname.split('/').filter(Boolean).at(-1) ?? '');

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ListenerApp spaceId={spaceId} serverUrl={window.location.origin} />
  </StrictMode>,
);
