// nginx's answers to `ssl_verify_client on`, captured byte for byte from nginx 1.22.1 (Debian bookworm's nginx-light)
// with curl: no certificate sent (its 496 page) and a certificate from an unknown CA (its 495 page). Test-only.
export const NGINX_NO_CERTIFICATE_PAGE =
  '<html>\r\n<head><title>400 No required SSL certificate was sent</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n<center>No required SSL certificate was sent</center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n'
export const NGINX_CERTIFICATE_ERROR_PAGE =
  '<html>\r\n<head><title>400 The SSL certificate error</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n<center>The SSL certificate error</center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n'
