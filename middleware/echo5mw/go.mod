module github.com/djangobridge/djangobridge/middleware/echo5mw

go 1.26.0

require github.com/djangobridge/djangobridge v0.0.0

require (
	github.com/klauspost/compress v1.20.3 // indirect
	github.com/labstack/echo/v5 v5.4.4
	golang.org/x/crypto v0.58.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
	golang.org/x/text v0.43.0 // indirect
)

replace github.com/djangobridge/djangobridge => ../..
